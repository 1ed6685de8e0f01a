using Akka.Actor;
using Akka.Configuration;

namespace Palm.Configuration;

/// <summary>
/// The settings every Palm component shares, read from the <c>palm</c> section of HOCON (defaults and reasons in
/// <c>hocon/reference.conf</c>): system name, time-outs, payload and batch sizes. Each component reads its own section
/// with its own settings type, as Akka's modules do: <c>ClientSettings</c> (<c>palm.client</c>), <c>ServerSettings</c>
/// (<c>palm.server</c>), <c>CacheSettings</c> (<c>palm.cache</c>), <c>ParallelSettings</c> (<c>palm.butterfly</c>),
/// <c>NodeSettings</c> (<c>palm.node</c>), <c>LaneSettings</c> (<c>palm.lane</c>).
/// Built with <see cref="Create(Config)"/> or <see cref="Create(ActorSystem)"/>; change one with <c>with { ... }</c>.
/// </summary>
public sealed record PalmSettings
{
    private PalmSettings()
    {
    }

    /// <summary>Actor system name shared by every node of a cluster (<c>palm.system-name</c>).</summary>
    public string SystemName { get; init; } = "";

    /// <summary>Most pipeline messages in one remote envelope (<c>palm.batch.max-messages</c>).</summary>
    public int BatchMaxMessages { get; init; }

    /// <summary>Payload bytes after which a batch is sent even if not full (<c>palm.batch.max-bytes</c>).</summary>
    public int BatchMaxBytes { get; init; }

    /// <summary>Largest payload a step may emit; larger ones become error results (<c>palm.max-payload-bytes</c>).</summary>
    public int MaxPayloadBytes { get; init; }

    /// <summary>Time-out of cache and status requests (<c>palm.ask-timeout</c>).</summary>
    public TimeSpan AskTimeout { get; init; }

    /// <summary>How long a client waits for its contact node, and a node for joining (<c>palm.connect-timeout</c>).</summary>
    public TimeSpan ConnectTimeout { get; init; }

    /// <summary>The defaults of the embedded <c>reference.conf</c>.</summary>
    public static PalmSettings Default { get; } = Create(PalmConfig.Reference);

    /// <summary>Reads the settings of <paramref name="system"/>'s configuration.</summary>
    /// <exception cref="ConfigurationException">A value is malformed, out of range, or contradicts another; the message names the key.</exception>
    public static PalmSettings Create(ActorSystem system) => Create(system.Settings.Config);

    /// <summary>Reads the settings from <paramref name="config"/> (with <see cref="PalmConfig.Reference"/> as its fallback).</summary>
    /// <exception cref="ConfigurationException">A key under <c>palm</c> (or <c>akka.cluster</c>, <c>akka.remote.dot-netty.tcp</c>) that nobody reads, a value of the shared keys that is malformed or out of range, or a value of any section contradicts another (see <see cref="SettingsCheck"/>); the message names the key.</exception>
    public static PalmSettings Create(Config config)
    {
        var own = !ReferenceEquals(config, PalmConfig.Reference);
        // A mistyped key first: it explains a default that is still in force, which may be what a later check trips on.
        if (own) Internal.KnownKeys.Check(config);
        var palm = new SettingsReader(config, "palm");
        var settings = new PalmSettings
        {
            SystemName = palm.String("system-name"),
            BatchMaxMessages = palm.Int("batch.max-messages", 1),
            BatchMaxBytes = (int)palm.Bytes("batch.max-bytes", 1, int.MaxValue),
            MaxPayloadBytes = (int)palm.Bytes("max-payload-bytes", 1, int.MaxValue),
            AskTimeout = palm.Duration("ask-timeout"),
            ConnectTimeout = palm.Duration("connect-timeout"),
        };
        if (own) SettingsCheck.Validate(config, settings);
        return settings;
    }
}
