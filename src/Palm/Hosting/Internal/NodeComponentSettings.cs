using Akka.Configuration;
using Palm.Cache;
using Palm.Configuration;
using Palm.Dispatch;
using Palm.Templates.Parallel;

namespace Palm.Hosting.Internal;

/// <summary>Every settings type a node runs with, each read from its own section once when the node starts.</summary>
/// <param name="Shared">What every component shares (<c>palm</c>), checked against the other sections.</param>
/// <param name="Node">The node's own (<c>palm.node</c>).</param>
/// <param name="Server">The actors that play servers (<c>palm.server</c>).</param>
/// <param name="Cache">Each server's cache (<c>palm.cache</c>).</param>
/// <param name="Parallel">The parallel templates' leaders and workers (<c>palm.butterfly</c>).</param>
internal sealed record NodeComponentSettings(PalmSettings Shared, NodeSettings Node, ServerSettings Server, CacheSettings Cache, ParallelSettings Parallel)
{
    /// <summary>Reads every section a node needs from <paramref name="config"/>.</summary>
    /// <exception cref="ConfigurationException">A value is malformed, out of range, or contradicts another; the message names the key.</exception>
    public static NodeComponentSettings Read(Config config)
    {
        var shared = PalmSettings.Create(config);
        // Read by the downing provider inside Akka.Cluster, where a bad value crashes the cluster daemon and the node
        // never joins; read here first, so that it stops the start with the key's name.
        DowningSettings.Create(config);
        // A node reads the client's section only when it submits a job itself (ClientSettings, a layer above): a bad
        // window in a file shared by nodes and clients stops the node's start all the same, with the same bound.
        new SettingsReader(config, "palm.client").Int("window", 1);
        return new(shared, NodeSettings.Create(config), ServerSettings.Create(config), CacheSettings.Create(config), ParallelSettings.Create(config));
    }
}
