using Akka.Actor;
using Akka.Configuration;
using Palm.Configuration;

namespace Palm.Templates.Parallel;

/// <summary>
/// Settings of the parallel templates' leaders and workers (butterfly, scatter-gather, reduce), read from
/// <c>palm.butterfly</c> (defaults and reasons in <c>hocon/reference.conf</c>).
/// Built with <see cref="Create(Config)"/> or <see cref="Create(ActorSystem)"/>; change one with <c>with { ... }</c>.
/// </summary>
public sealed record ParallelSettings
{
    private ParallelSettings()
    {
    }

    /// <summary>Most messages a leader keeps in flight on one worker (<c>palm.butterfly.worker-window</c>).</summary>
    public int WorkerWindow { get; init; }

    /// <summary>How long a worker that shuts down waits for its leader to release it (<c>palm.butterfly.drain-timeout</c>).</summary>
    public TimeSpan DrainTimeout { get; init; }

    /// <summary>A worker's window holds at most what it answers in this time (<c>palm.butterfly.worker-window-time</c>).</summary>
    public TimeSpan WorkerWindowTime { get; init; }

    /// <summary>The defaults of the embedded <c>reference.conf</c>.</summary>
    public static ParallelSettings Default { get; } = Create(PalmConfig.Reference);

    /// <summary>Reads the parallel templates' settings of <paramref name="system"/>'s configuration.</summary>
    /// <exception cref="ConfigurationException">A value is malformed or out of range; the message names the key.</exception>
    public static ParallelSettings Create(ActorSystem system) => Create(system.Settings.Config);

    /// <summary>Reads <c>palm.butterfly</c> from <paramref name="config"/> (with <see cref="PalmConfig.Reference"/> as its fallback).</summary>
    /// <exception cref="ConfigurationException">A value is malformed or out of range; the message names the key.</exception>
    public static ParallelSettings Create(Config config)
    {
        var butterfly = new SettingsReader(config, "palm.butterfly");
        return new ParallelSettings
        {
            WorkerWindow = butterfly.Int("worker-window", 1),
            DrainTimeout = butterfly.Duration("drain-timeout"),
            WorkerWindowTime = butterfly.Duration("worker-window-time"),
        };
    }
}
