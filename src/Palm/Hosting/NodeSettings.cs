using Akka.Actor;
using Akka.Configuration;
using Palm.Configuration;

namespace Palm.Hosting;

/// <summary>
/// Settings of a Palm node, read from <c>palm.node</c> (defaults and reasons in <c>hocon/reference.conf</c>).
/// Built with <see cref="Create(Config)"/> or <see cref="Create(ActorSystem)"/>; change one with <c>with { ... }</c>.
/// </summary>
public sealed record NodeSettings
{
    private NodeSettings()
    {
    }

    /// <summary>Most clients and leaders one node sends directory updates to (<c>palm.node.max-directory-subscribers</c>).</summary>
    public int MaxDirectorySubscribers { get; init; }

    /// <summary>The defaults of the embedded <c>reference.conf</c>.</summary>
    public static NodeSettings Default { get; } = Create(PalmConfig.Reference);

    /// <summary>Reads the node settings of <paramref name="system"/>'s configuration.</summary>
    /// <exception cref="ConfigurationException">A value is malformed or out of range; the message names the key.</exception>
    public static NodeSettings Create(ActorSystem system) => Create(system.Settings.Config);

    /// <summary>Reads <c>palm.node</c> from <paramref name="config"/> (with <see cref="PalmConfig.Reference"/> as its fallback).</summary>
    /// <exception cref="ConfigurationException">A value is malformed or out of range; the message names the key.</exception>
    public static NodeSettings Create(Config config) =>
        new() { MaxDirectorySubscribers = new SettingsReader(config, "palm.node").Int("max-directory-subscribers", 1) };
}
