using Akka.Configuration;
using Palm.Client;
using Palm.Hosting;
using Palm.Servers;

namespace Palm.TestKit;

/// <summary>
/// A real Palm cluster for a test: every node is its own actor system on loopback (ports chosen by the
/// OS), joined through a seed node with real Akka.Remote between them. Dispose it to shut every node
/// and client down.
/// </summary>
/// <example>
/// <code>
/// await using var cluster = await PalmTestCluster.StartAsync();
/// await cluster.StartServerAsync&lt;Parser&gt;("a");
/// var client = await cluster.ConnectClientAsync();
/// await client.WaitForServersAsync(["a"], TimeSpan.FromSeconds(20));
/// </code>
/// </example>
public sealed class PalmTestCluster : IAsyncDisposable
{
    /// <summary>Settings that make a test cluster notice a crashed node within seconds rather than tens of seconds.</summary>
    public static readonly Config FastFailureDetection = ConfigurationFactory.ParseString("""
        akka.cluster.failure-detector.acceptable-heartbeat-pause = 3s
        palm.downing.stable-after = 2s
        akka.remote.watch-failure-detector.acceptable-heartbeat-pause = 3s
        """);

    /// <summary>
    /// Membership timings for nodes on one machine, under every test cluster's HOCON (a test's own settings win):
    /// gossip and the cluster leader's actions every 200 ms from the start, instead of every second after a
    /// first second. A node then joins, and leaves, in a fraction of a second rather than two or three;
    /// how long failure detection tolerates silence is unchanged (<see cref="FastFailureDetection"/> is the setting for that).
    /// </summary>
    public static readonly Config FastMembership = ConfigurationFactory.ParseString("""
        akka.cluster {
          periodic-tasks-initial-delay = 0s
          gossip-interval = 200ms
          leader-actions-interval = 200ms
          unreachable-nodes-reaper-interval = 250ms
        }
        """);

    private readonly Config _config;
    private readonly List<PalmNode> _nodes = [];
    private readonly List<PalmClient> _clients = [];
    private readonly object _lock = new();

    private PalmTestCluster(Config config, PalmNode seed)
    {
        _config = config;
        Seed = seed;
        _nodes.Add(seed);
    }

    /// <summary>The seed node (hosts no server unless a test starts one on it); clients contact it.</summary>
    public PalmNode Seed { get; }

    /// <summary>Every node still running, the seed first.</summary>
    public IReadOnlyList<PalmNode> Nodes
    {
        get
        {
            lock (_lock) return _nodes.ToArray();
        }
    }

    /// <summary>How long helpers wait for membership and directory changes.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Starts the seed node of a new cluster.</summary>
    /// <param name="config">HOCON for every node, over <see cref="FastMembership"/> and Palm's defaults (e.g. <see cref="FastFailureDetection"/>).</param>
    public static async Task<PalmTestCluster> StartAsync(Config? config = null)
    {
        config = (config ?? Config.Empty).WithFallback(FastMembership);
        var seed = await PalmHost.StartNodeAsync(new NodeOptions { Config = config });
        return new PalmTestCluster(config, seed);
    }

    /// <summary>Starts a new node (its own actor system) joined to the cluster, with no server.</summary>
    /// <param name="config">HOCON for this node only, over the cluster's (e.g. its own <c>palm.tls.certificate</c>).</param>
    public Task<PalmNode> StartNodeAsync(Config? config = null) => StartNodeAsync(config, ServerRole.Standalone);

    private async Task<PalmNode> StartNodeAsync(Config? config, ServerRole role)
    {
        // The role decides the node's cluster role: workers are never counted in split-brain decisions.
        var node = await PalmHost.StartNodeAsync(new NodeOptions { Seeds = [Seed.Address], Role = role, Config = config is null ? _config : config.WithFallback(_config) });
        lock (_lock) _nodes.Add(node);
        return node;
    }

    /// <summary>
    /// Starts a new node hosting server <paramref name="name"/> in <paramref name="role"/>, and waits until every
    /// node's directory lists it (and the new node lists every server the seed knows), so that a job started
    /// next finds every server of its route from whichever node it passes through.
    /// </summary>
    public async Task<PalmNode> StartServerAsync<TServer>(string name, ServerRole role = ServerRole.Standalone) where TServer : PalmServer, new()
    {
        var node = await StartNodeAsync(null, role);
        await node.StartServerAsync(new TServer(), name, role);
        if (role == ServerRole.Worker) return node;
        await Seed.WaitForServersAsync([name], Timeout);
        var known = Seed.KnownServers;
        await Task.WhenAll(Nodes.Select(n => n.WaitForServersAsync(known, Timeout)));
        return node;
    }

    /// <summary>Connects a client from an actor system of its own (with the cluster's HOCON, so <c>palm.*</c> settings match), through the seed; the cluster disposes it.</summary>
    /// <param name="config">HOCON for this client only, over the cluster's (e.g. its own <c>palm.tls.certificate</c>).</param>
    public async Task<PalmClient> ConnectClientAsync(Config? config = null)
    {
        var client = await PalmClient.ConnectAsync(Seed.Address, config is null ? _config : config.WithFallback(_config));
        lock (_lock) _clients.Add(client);
        return client;
    }

    /// <summary>Makes <paramref name="node"/> leave the cluster and terminates its actor system.</summary>
    public async Task StopNodeAsync(PalmNode node)
    {
        lock (_lock) _nodes.Remove(node);
        await PalmHost.StopNodeAsync(node);
    }

    /// <summary>Disposes the clients, then stops every node at once.</summary>
    public async ValueTask DisposeAsync()
    {
        PalmClient[] clients;
        PalmNode[] nodes;
        lock (_lock)
        {
            clients = _clients.ToArray();
            nodes = _nodes.ToArray();
            _clients.Clear();
            _nodes.Clear();
        }
        foreach (var client in clients) await client.DisposeAsync();
        await Task.WhenAll(nodes.Select(PalmHost.StopNodeAsync));
    }
}
