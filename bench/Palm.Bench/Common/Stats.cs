namespace Palm.Bench.Common;

/// <summary>Small statistics over measured samples.</summary>
public static class Stats
{
    /// <summary>The median of <paramref name="values"/>.</summary>
    public static double Median(IEnumerable<double> values) => Percentile(values, 0.5);

    /// <summary>The nearest-rank percentile <paramref name="p"/> (0..1) of <paramref name="values"/>.</summary>
    public static double Percentile(IEnumerable<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) return double.NaN;
        var rank = (int)Math.Ceiling(p * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }
}
