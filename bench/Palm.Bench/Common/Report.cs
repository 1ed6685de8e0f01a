using System.Globalization;

namespace Palm.Bench.Common;

/// <summary>Lost, duplicated, corrupt and error counts, summed over every timed run of a figure.</summary>
public sealed record Counts(long Messages, long Lost, long Duplicates, long Corrupt, long Errors)
{
    /// <summary>Whether every message arrived exactly once, intact.</summary>
    public bool Exact => Lost == 0 && Duplicates == 0 && Corrupt == 0 && Errors == 0;

    /// <summary>The counts of one run.</summary>
    public static Counts Of(Delivery d) => new(d.Expected, d.Lost, d.Duplicates, d.Corrupt, d.Errors);

    /// <summary>Adds two runs' counts.</summary>
    public static Counts operator +(Counts a, Counts b) =>
        new(a.Messages + b.Messages, a.Lost + b.Lost, a.Duplicates + b.Duplicates, a.Corrupt + b.Corrupt, a.Errors + b.Errors);

    /// <inheritdoc />
    public override string ToString() =>
        $"lost {Lost} dup {Duplicates}" + (Corrupt > 0 ? $" corrupt {Corrupt}" : "") + (Errors > 0 ? $" errors {Errors}" : "");
}

/// <summary>One measured value (a median over runs) with the delivery counts of every run behind it.</summary>
public sealed record Measurement(double Value, Counts Delivery, string? Note = null)
{
    /// <summary>One run.</summary>
    public Measurement(double value, Delivery delivery, string? note = null) : this(value, Counts.Of(delivery), note)
    {
    }

    /// <summary>The median value of <paramref name="runs"/>, with their counts summed.</summary>
    public static Measurement Median(IReadOnlyList<Measurement> runs) =>
        new(Stats.Median(runs.Select(r => r.Value)), runs.Select(r => r.Delivery).Aggregate((a, b) => a + b), runs[0].Note);
}

/// <summary>
/// One printed figure: Palm beside plain Akka.NET, the ratio, and whether Palm met its target.
/// <see cref="HigherIsBetter"/> turns the ratio around for latencies (Palm / Akka, lower is better).
/// </summary>
public sealed record Figure(string Name, string Unit, Measurement? Palm, Measurement? Akka, bool HigherIsBetter, double? Target, string TargetText)
{
    /// <summary>Palm over Akka for rates, Palm over Akka for latencies too (then the target is a ceiling).</summary>
    public double? Ratio => Palm is null || Akka is null || Akka.Value == 0 ? null : Palm.Value / Akka.Value;

    /// <summary>Whether the ratio meets the target, and every message arrived exactly once.</summary>
    public bool? Met => Target is null || Ratio is null
        ? null
        : (HigherIsBetter ? Ratio >= Target : Ratio <= Target) && Palm!.Delivery.Exact && Akka!.Delivery.Exact;
}

/// <summary>Prints figures as aligned lines, and keeps them for the summary.</summary>
public static class Report
{
    private static readonly List<Figure> Figures = [];

    /// <summary>Everything printed so far.</summary>
    public static IReadOnlyList<Figure> All => Figures;

    /// <summary>Prints one line for <paramref name="figure"/>.</summary>
    public static void Print(Figure figure)
    {
        Figures.Add(figure);
        Console.WriteLine(Line(figure));
    }

    /// <summary>A free-form progress or context line, marked so it does not read as a figure.</summary>
    public static void Note(string text) => Console.WriteLine($"  # {text}");

    /// <summary>The one-line form of <paramref name="f"/>.</summary>
    public static string Line(Figure f)
    {
        var ratio = f.Ratio is { } r ? $"{r:F2}x" : "-";
        var met = f.Met switch { true => "MET", false => "MISSED", null => "" };
        var palm = f.Palm is null ? "-" : $"{Format(f.Palm.Value)} {f.Unit}";
        var akka = f.Akka is null ? "-" : $"{Format(f.Akka.Value)} {f.Unit}";
        var counts = $"palm {f.Palm?.Delivery.ToString() ?? "-"} | akka {f.Akka?.Delivery.ToString() ?? "-"}";
        var notes = string.Join("; ", new[] { f.Palm?.Note, f.Akka?.Note }.Where(n => n is not null));
        return $"{f.Name,-34} palm {palm,-16} akka {akka,-16} ratio {ratio,-7} target {f.TargetText,-9} {met,-6} {counts}"
            + (notes.Length > 0 ? $"  ({notes})" : "");
    }

    /// <summary>A number with thousands separators, or three significant decimals when small.</summary>
    public static string Format(double v) => v >= 1000
        ? v.ToString("N0", CultureInfo.InvariantCulture)
        : v.ToString(v >= 100 ? "F0" : v >= 10 ? "F1" : "F2", CultureInfo.InvariantCulture);
}
