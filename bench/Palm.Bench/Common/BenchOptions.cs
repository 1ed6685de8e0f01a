namespace Palm.Bench.Common;

/// <summary>The options every end-to-end group understands.</summary>
public sealed record BenchOptions(long Messages, int Repeat, TimeSpan Warmup, string? Only, int SlowMicroseconds, IReadOnlyList<string> Rest)
{
    /// <summary>Whether the e2e figures run Palm with mutual TLS on every port (<c>--tls</c>), beside Palm and plain Akka without it.</summary>
    public bool Tls { get; init; }

    /// <summary>Reads <c>--messages N --repeat N --warmup S --only NAME --slow-us U --tls</c>; other arguments go to <see cref="Rest"/>.</summary>
    /// <exception cref="ArgumentException">A flag lacks a value or has a bad one.</exception>
    public static BenchOptions Parse(IReadOnlyList<string> args, long defaultMessages = 1_000_000)
    {
        var o = new BenchOptions(defaultMessages, 3, TimeSpan.FromSeconds(5), null, 10, []);
        var rest = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            long Number(long min) => long.TryParse(Value().Replace("_", "").Replace(",", ""), out var n) && n >= min
                ? n : throw new ArgumentException($"{args[i - 1]} needs a number >= {min}.");
            switch (args[i])
            {
                case "--messages": o = o with { Messages = Number(1000) }; break;
                case "--repeat": o = o with { Repeat = (int)Number(1) }; break;
                case "--warmup": o = o with { Warmup = TimeSpan.FromSeconds(Number(0)) }; break;
                case "--only": o = o with { Only = Value() }; break;
                case "--slow-us": o = o with { SlowMicroseconds = (int)Number(0) }; break;
                case "--tls": o = o with { Tls = true }; break;
                case "--palm-hocon": PalmHocon = Akka.Configuration.ConfigurationFactory.ParseString(Value()); break;
                case "--verbose": EndToEnd.PalmPipeline.Quiet = Akka.Configuration.Config.Empty; break;
                default: rest.Add(args[i]); break;
            }
        }
        return o with { Rest = rest };
    }

    /// <summary>Extra HOCON for every Palm node and client (<c>--palm-hocon</c>), to try settings; empty by default.</summary>
    public static Akka.Configuration.Config PalmHocon { get; private set; } = Akka.Configuration.Config.Empty;

    /// <summary>Whether the figure <paramref name="name"/> is selected by <c>--only</c>.</summary>
    public bool Runs(string name) => Only is null || name.Contains(Only, StringComparison.OrdinalIgnoreCase);
}
