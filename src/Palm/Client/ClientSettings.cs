using Akka.Actor;
using Akka.Configuration;
using Palm.Configuration;

namespace Palm.Client;

/// <summary>
/// Settings of Palm's client, read from <c>palm.client</c> (defaults and reasons in <c>hocon/reference.conf</c>).
/// Built with <see cref="Create(Config)"/> or <see cref="Create(ActorSystem)"/>; change one with <c>with { ... }</c>.
/// </summary>
public sealed record ClientSettings
{
    private ClientSettings()
    {
    }

    /// <summary>Inputs a job may have in flight before the client waits (<c>palm.client.window</c>).</summary>
    public int Window { get; init; }

    /// <summary>
    /// How long a job may wait for a result while the cluster owes it some before the client checks the route's
    /// servers, and after as long again fails the job (<c>palm.client.progress-timeout</c>).
    /// </summary>
    public TimeSpan ProgressTimeout { get; init; }

    /// <summary>How long <c>PalmClient.GetStatusAsync</c> waits for nodes and servers to answer (<c>palm.client.status-timeout</c>).</summary>
    public TimeSpan StatusTimeout { get; init; }

    /// <summary>Addresses of nodes to connect through when no address is given in code, tried in order (<c>palm.client.contact-points</c>).</summary>
    public IReadOnlyList<string> ContactPoints { get; init; } = [];

    /// <summary>The defaults of the embedded <c>reference.conf</c>.</summary>
    public static ClientSettings Default { get; } = Create(PalmConfig.Reference);

    /// <summary>Reads the client settings of <paramref name="system"/>'s configuration.</summary>
    /// <exception cref="ConfigurationException">A value is malformed or out of range; the message names the key.</exception>
    public static ClientSettings Create(ActorSystem system) => Create(system.Settings.Config);

    /// <summary>Reads <c>palm.client</c> from <paramref name="config"/> (with <see cref="PalmConfig.Reference"/> as its fallback).</summary>
    /// <exception cref="ConfigurationException">A value is malformed or out of range; the message names the key.</exception>
    public static ClientSettings Create(Config config)
    {
        var client = new SettingsReader(config, "palm.client");
        return new ClientSettings
        {
            Window = client.Int("window", 1),
            ProgressTimeout = client.Duration("progress-timeout"),
            ContactPoints = client.StringList("contact-points"),
            StatusTimeout = client.Duration("status-timeout"),
        };
    }
}
