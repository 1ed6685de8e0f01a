using Akka.Actor;
using Akka.Configuration;
using Palm.Configuration;

namespace Palm.Dispatch;

/// <summary>
/// Settings of the actors that play servers, read from <c>palm.server</c> (defaults and reasons in <c>hocon/reference.conf</c>).
/// Built with <see cref="Create(Config)"/> or <see cref="Create(ActorSystem)"/>; change one with <c>with { ... }</c>.
/// </summary>
public sealed record ServerSettings
{
    /// <summary>The dispatcher Palm's HOCON defines for the actors that run user functions.</summary>
    public const string DefaultDispatcher = "palm.server-dispatcher";

    private ServerSettings()
    {
    }

    /// <summary>Calls of an asynchronous function that may run at once per server instance, unless its attribute says otherwise (<c>palm.server.max-concurrency</c>).</summary>
    public int MaxConcurrency { get; init; }

    /// <summary>How long a server holds an output for a next server its directory does not list yet (<c>palm.server.unknown-server-wait</c>; zero: fail at once).</summary>
    public TimeSpan UnknownServerWait { get; init; }

    /// <summary>Dispatcher id for the actors that run user functions (the dispatcher <c>palm.server-dispatcher</c>, not a key of <c>palm.server</c>).</summary>
    public string Dispatcher { get; init; } = DefaultDispatcher;

    /// <summary>The defaults of the embedded <c>reference.conf</c>.</summary>
    public static ServerSettings Default { get; } = Create(PalmConfig.Reference);

    /// <summary>Reads the server settings of <paramref name="system"/>'s configuration.</summary>
    /// <exception cref="ConfigurationException">A value is malformed or out of range; the message names the key.</exception>
    public static ServerSettings Create(ActorSystem system) => Create(system.Settings.Config);

    /// <summary>Reads <c>palm.server</c> from <paramref name="config"/> (with <see cref="PalmConfig.Reference"/> as its fallback).</summary>
    /// <exception cref="ConfigurationException">A value is malformed or out of range; the message names the key.</exception>
    public static ServerSettings Create(Config config)
    {
        var server = new SettingsReader(config, "palm.server");
        return new ServerSettings
        {
            MaxConcurrency = server.Int("max-concurrency", 1),
            UnknownServerWait = server.Duration("unknown-server-wait", zeroAllowed: true),
        };
    }
}
