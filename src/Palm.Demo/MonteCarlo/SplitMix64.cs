namespace Palm.Demo.MonteCarlo;

/// <summary>
/// Steele, Lea and Flood's SplitMix64 generator, written out here so that a seed gives the same numbers on every .NET
/// version (System.Random's algorithms are implementation details), and so that seeds for blocks and chunks can be
/// derived from one seed without running a generator through the ones before.
/// </summary>
public struct SplitMix64(ulong seed)
{
    private const ulong Gamma = 0x9E3779B97F4A7C15;
    private const double TwoToMinus53 = 1.0 / (1UL << 53);

    private ulong _state = seed;

    /// <summary>The next 64 random bits.</summary>
    public ulong Next()
    {
        _state += Gamma;
        return Mix(_state);
    }

    /// <summary>A uniform double in (0, 1]: never 0, so its logarithm is finite.</summary>
    public double NextOpenZero() => ((Next() >> 11) + 1) * TwoToMinus53;

    /// <summary>A uniform double in [0, 1).</summary>
    public double NextUnit() => (Next() >> 11) * TwoToMinus53;

    /// <summary>
    /// The seed of the <paramref name="index"/>-th child of <paramref name="parent"/>: the (index + 1)-th output of a
    /// generator seeded with <paramref name="parent"/>, computed directly.
    /// </summary>
    public static ulong Derive(ulong parent, long index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        return Mix(parent + Gamma * (ulong)(index + 1));
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }
}

/// <summary>Standard normal samples by the Box-Muller transform on a <see cref="SplitMix64"/>, two per pair of uniforms.</summary>
public struct NormalSampler(ulong seed)
{
    private SplitMix64 _uniform = new(seed);
    private double _spare;
    private bool _hasSpare;

    /// <summary>The next standard normal sample.</summary>
    public double Next()
    {
        if (_hasSpare)
        {
            _hasSpare = false;
            return _spare;
        }
        var radius = Math.Sqrt(-2.0 * Math.Log(_uniform.NextOpenZero()));
        var angle = 2.0 * Math.PI * _uniform.NextUnit();
        _spare = radius * Math.Sin(angle);
        _hasSpare = true;
        return radius * Math.Cos(angle);
    }
}
