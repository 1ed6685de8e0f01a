using Akka.Configuration;

namespace Palm.Configuration;

/// <summary>Palm's settings, read from the <c>palm</c> section of HOCON (defaults in <c>hocon/reference.conf</c>).</summary>
/// <param name="SystemName">Actor system name shared by every node of a cluster.</param>
/// <param name="BatchMaxMessages">Most pipeline messages in one remote envelope.</param>
/// <param name="BatchMaxBytes">Payload bytes after which a batch is sent even if not full.</param>
/// <param name="MaxPayloadBytes">Largest payload a step may emit; larger ones become error results.</param>
/// <param name="ServerDispatcher">Dispatcher id for the actors that run user functions.</param>
/// <param name="ClientWindow">Inputs a job may have in flight before the client waits.</param>
/// <param name="AskTimeout">Time-out of cache and status requests.</param>
/// <param name="ConnectTimeout">How long a client waits for its contact node, and a node for joining.</param>
/// <param name="WorkerWindow">Most messages a butterfly leader keeps in flight on one worker (a worker starts with fewer and gets more while it is starved).</param>
/// <param name="MaxDirectorySubscribers">Most clients and leaders one node sends directory updates to.</param>
/// <param name="CacheMaxEntries">Most keys one server's cache holds.</param>
/// <param name="CacheMaxBytes">Most value bytes one server's cache holds.</param>
/// <param name="ClientProgressTimeout">How long a job may wait for a result while the cluster owes it some before the client checks the route's servers (and, after as long again, fails the job).</param>
/// <param name="DrainTimeout">How long a butterfly worker that shuts down waits for its leader to say it holds nothing any more.</param>
/// <param name="WorkerWindowTime">A butterfly worker's window holds at most what it answers in this time (at its measured rate).</param>
/// <param name="MaxConcurrency">How many calls of an asynchronous function may run at once per server instance, unless its attribute says otherwise.</param>
/// <param name="UnknownServerWait">How long a server holds an output for a next server its node's directory does not list yet before failing it as unknown (zero: at once).</param>
public sealed record PalmSettings(
    string SystemName,
    int BatchMaxMessages,
    int BatchMaxBytes,
    int MaxPayloadBytes,
    string ServerDispatcher,
    int ClientWindow,
    TimeSpan AskTimeout,
    TimeSpan ConnectTimeout,
    int WorkerWindow,
    int MaxDirectorySubscribers,
    int CacheMaxEntries,
    long CacheMaxBytes,
    TimeSpan ClientProgressTimeout,
    TimeSpan DrainTimeout,
    TimeSpan WorkerWindowTime,
    int MaxConcurrency,
    TimeSpan UnknownServerWait)
{
    /// <summary>The defaults of the embedded <c>reference.conf</c>.</summary>
    public static PalmSettings Default { get; } = Create(PalmConfig.Reference);

    /// <summary>Reads the settings from a configuration whose fallback includes <see cref="PalmConfig.Reference"/>.</summary>
    /// <exception cref="ConfigurationException">A value is out of range, or contradicts another (see <see cref="SettingsCheck"/>).</exception>
    public static PalmSettings Create(Config config)
    {
        var palm = (ReferenceEquals(config, PalmConfig.Reference) ? config : config.WithFallback(PalmConfig.Reference)).GetConfig("palm");
        var settings = new PalmSettings(
            palm.GetString("system-name"),
            palm.GetInt("batch.max-messages"),
            (int)palm.GetByteSize("batch.max-bytes")!.Value,
            (int)palm.GetByteSize("max-payload-bytes")!.Value,
            "palm.server-dispatcher",
            palm.GetInt("client.window"),
            palm.GetTimeSpan("ask-timeout"),
            palm.GetTimeSpan("connect-timeout"),
            palm.GetInt("butterfly.worker-window"),
            palm.GetInt("node.max-directory-subscribers"),
            palm.GetInt("cache.max-entries"),
            palm.GetByteSize("cache.max-bytes")!.Value,
            palm.GetTimeSpan("client.progress-timeout"),
            palm.GetTimeSpan("butterfly.drain-timeout"),
            palm.GetTimeSpan("butterfly.worker-window-time"),
            palm.GetInt("server.max-concurrency"),
            palm.GetTimeSpan("server.unknown-server-wait"));
        if (settings.BatchMaxMessages < 1 || settings.BatchMaxBytes < 1 || settings.MaxPayloadBytes < 1 || settings.ClientWindow < 1 || settings.WorkerWindow < 1
            || settings.MaxDirectorySubscribers < 1 || settings.CacheMaxEntries < 1 || settings.CacheMaxBytes < 1
            || settings.ClientProgressTimeout <= TimeSpan.Zero || settings.DrainTimeout <= TimeSpan.Zero || settings.WorkerWindowTime <= TimeSpan.Zero
            || settings.MaxConcurrency < 1 || settings.UnknownServerWait < TimeSpan.Zero)
            throw new ConfigurationException("palm.batch.*, palm.max-payload-bytes, palm.client.window, palm.client.progress-timeout, palm.butterfly.worker-window, "
                + "palm.butterfly.drain-timeout, palm.butterfly.worker-window-time, palm.node.max-directory-subscribers, palm.server.max-concurrency and palm.cache.* must be positive, "
                + "and palm.server.unknown-server-wait must not be negative.");
        if (!ReferenceEquals(config, PalmConfig.Reference)) SettingsCheck.Validate(config, settings);
        return settings;
    }
}
