using Akka.Configuration;

namespace Palm.Transport.Internal;

/// <summary>
/// Test-only fault injection on a system's lanes, in the spirit of Akka.NET's
/// <c>ProducerController.CreateWithFuzzing</c>: injected at run time through <c>DataLanes.Fuzzing</c>, never configured; each frame written to a lane socket, each
/// envelope sent through Akka.Remote and each confirmation is, with these probabilities, dropped,
/// duplicated, delayed (by up to <paramref name="MaxDelay"/>) or swapped with the next one.
/// </summary>
internal sealed record LaneFuzzingSettings(double Drop, double Duplicate, double Delay, double Reorder, TimeSpan MaxDelay, int Seed)
{
    /// <summary>Reads a <c>fuzzing</c> section; null when it is missing or <c>enabled = off</c>.</summary>
    /// <exception cref="ConfigurationException">A probability is out of range.</exception>
    public static LaneFuzzingSettings? Create(Config? fuzzing)
    {
        if (fuzzing is null || fuzzing.IsEmpty || !fuzzing.GetBoolean("enabled", false)) return null;
        var settings = new LaneFuzzingSettings(
            fuzzing.GetDouble("drop", 0), fuzzing.GetDouble("duplicate", 0), fuzzing.GetDouble("delay", 0), fuzzing.GetDouble("reorder", 0),
            fuzzing.GetTimeSpan("max-delay", TimeSpan.FromMilliseconds(50)), fuzzing.GetInt("seed", 0));
        double[] all = [settings.Drop, settings.Duplicate, settings.Delay, settings.Reorder];
        if (all.Any(p => p is < 0 or > 1) || all.Sum() > 1 || settings.MaxDelay < TimeSpan.Zero)
            throw new ConfigurationException("fuzzing: drop, duplicate, delay and reorder must be probabilities adding up to at most 1, and max-delay must not be negative.");
        return settings;
    }
}

/// <summary>What <see cref="LaneFuzzing"/> does to one frame, envelope or confirmation.</summary>
internal enum Fault
{
    None,
    Drop,
    Duplicate,
    Delay,
    Reorder,
}

/// <summary>Draws <see cref="Fault"/>s by <see cref="LaneFuzzingSettings"/>; thread-safe.</summary>
internal sealed class LaneFuzzing(LaneFuzzingSettings settings)
{
    private readonly Random _random = new(settings.Seed);
    private readonly Lock _gate = new();
    private long _faults;

    public LaneFuzzingSettings Settings { get; } = settings;

    /// <summary>Faults injected so far.</summary>
    public long Faults => Interlocked.Read(ref _faults);

    public Fault Next()
    {
        double r;
        lock (_gate) r = _random.NextDouble();
        var fault = r < Settings.Drop ? Fault.Drop
            : (r -= Settings.Drop) < Settings.Duplicate ? Fault.Duplicate
            : (r -= Settings.Duplicate) < Settings.Delay ? Fault.Delay
            : r - Settings.Delay < Settings.Reorder ? Fault.Reorder
            : Fault.None;
        if (fault != Fault.None) Interlocked.Increment(ref _faults);
        return fault;
    }

    public TimeSpan NextDelay()
    {
        lock (_gate) return Settings.MaxDelay * (0.1 + 0.9 * _random.NextDouble());
    }
}
