using Akka.Actor;
using Akka.Configuration;

namespace Palm.Configuration;

/// <summary>
/// Palm's settings, read from the <c>palm</c> section of HOCON (defaults and reasons in <c>hocon/reference.conf</c>).
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

    /// <summary>Dispatcher id for the actors that run user functions.</summary>
    public string ServerDispatcher { get; init; } = "palm.server-dispatcher";

    /// <summary>Inputs a job may have in flight before the client waits (<c>palm.client.window</c>).</summary>
    public int ClientWindow { get; init; }

    /// <summary>Time-out of cache and status requests (<c>palm.ask-timeout</c>).</summary>
    public TimeSpan AskTimeout { get; init; }

    /// <summary>How long a client waits for its contact node, and a node for joining (<c>palm.connect-timeout</c>).</summary>
    public TimeSpan ConnectTimeout { get; init; }

    /// <summary>Most messages a butterfly leader keeps in flight on one worker (<c>palm.butterfly.worker-window</c>).</summary>
    public int WorkerWindow { get; init; }

    /// <summary>Most clients and leaders one node sends directory updates to (<c>palm.node.max-directory-subscribers</c>).</summary>
    public int MaxDirectorySubscribers { get; init; }

    /// <summary>Most keys one server's cache holds (<c>palm.cache.max-entries</c>).</summary>
    public int CacheMaxEntries { get; init; }

    /// <summary>Most value bytes one server's cache holds (<c>palm.cache.max-bytes</c>).</summary>
    public long CacheMaxBytes { get; init; }

    /// <summary>
    /// How long a job may wait for a result while the cluster owes it some before the client checks the route's
    /// servers, and after as long again fails the job (<c>palm.client.progress-timeout</c>).
    /// </summary>
    public TimeSpan ClientProgressTimeout { get; init; }

    /// <summary>How long a butterfly worker that shuts down waits for its leader to release it (<c>palm.butterfly.drain-timeout</c>).</summary>
    public TimeSpan DrainTimeout { get; init; }

    /// <summary>A butterfly worker's window holds at most what it answers in this time (<c>palm.butterfly.worker-window-time</c>).</summary>
    public TimeSpan WorkerWindowTime { get; init; }

    /// <summary>Calls of an asynchronous function that may run at once per server instance, unless its attribute says otherwise (<c>palm.server.max-concurrency</c>).</summary>
    public int MaxConcurrency { get; init; }

    /// <summary>How long a server holds an output for a next server its directory does not list yet (<c>palm.server.unknown-server-wait</c>; zero: fail at once).</summary>
    public TimeSpan UnknownServerWait { get; init; }

    /// <summary>The defaults of the embedded <c>reference.conf</c>.</summary>
    public static PalmSettings Default { get; } = Create(PalmConfig.Reference);

    /// <summary>Reads the settings of <paramref name="system"/>'s configuration.</summary>
    /// <exception cref="ConfigurationException">A value is malformed, out of range, or contradicts another; the message names the key.</exception>
    public static PalmSettings Create(ActorSystem system) => Create(system.Settings.Config);

    /// <summary>Reads the settings from <paramref name="config"/> (with <see cref="PalmConfig.Reference"/> as its fallback).</summary>
    /// <exception cref="ConfigurationException">A value is malformed, out of range, or contradicts another (see <see cref="SettingsCheck"/>); the message names the key.</exception>
    public static PalmSettings Create(Config config)
    {
        var palm = new SettingsReader(config, "palm");
        var settings = new PalmSettings
        {
            SystemName = palm.String("system-name"),
            BatchMaxMessages = palm.Int("batch.max-messages", 1),
            BatchMaxBytes = (int)palm.Bytes("batch.max-bytes", 1, int.MaxValue),
            MaxPayloadBytes = (int)palm.Bytes("max-payload-bytes", 1, int.MaxValue),
            ClientWindow = palm.Int("client.window", 1),
            AskTimeout = palm.Duration("ask-timeout"),
            ConnectTimeout = palm.Duration("connect-timeout"),
            WorkerWindow = palm.Int("butterfly.worker-window", 1),
            MaxDirectorySubscribers = palm.Int("node.max-directory-subscribers", 1),
            CacheMaxEntries = palm.Int("cache.max-entries", 1),
            CacheMaxBytes = palm.Bytes("cache.max-bytes", 1),
            ClientProgressTimeout = palm.Duration("client.progress-timeout"),
            DrainTimeout = palm.Duration("butterfly.drain-timeout"),
            WorkerWindowTime = palm.Duration("butterfly.worker-window-time"),
            MaxConcurrency = palm.Int("server.max-concurrency", 1),
            UnknownServerWait = palm.Duration("server.unknown-server-wait", zeroAllowed: true),
        };
        if (!ReferenceEquals(config, PalmConfig.Reference)) SettingsCheck.Validate(config, settings);
        return settings;
    }
}
