using Akka.Configuration;
using Palm.Client;
using Palm.Hosting;
using Palm.Servers;
using Palm.TestKit;

namespace Palm.Examples.Internal;

/// <summary>What every example does to its embedded cluster, beside <see cref="PalmTestCluster"/>'s own calls.</summary>
internal static class ExampleClusters
{
    /// <summary>
    /// Gossip ten times as often as Akka's defaults (1 s), which suit nodes on several machines: all of an example's
    /// nodes share one process, and it starts in about a second instead of several.
    /// </summary>
    private static readonly Config OneProcess = ConfigurationFactory.ParseString("""
        akka.cluster.gossip-interval = 100ms
        akka.cluster.leader-actions-interval = 100ms
        akka.cluster.periodic-tasks-initial-delay = 50ms
        """);

    /// <summary>Starts the seed node of an example's own cluster, on loopback with a port the OS picks.</summary>
    /// <param name="config">HOCON for every node of this example, over <see cref="OneProcess"/>.</param>
    public static Task<PalmTestCluster> StartAsync(Config? config = null) =>
        PalmTestCluster.StartAsync(config is null ? OneProcess : config.WithFallback(OneProcess));

    /// <summary>
    /// Starts server <paramref name="name"/> as a leader and <paramref name="workers"/> workers, each on a node of its own,
    /// and waits until the leader uses them all: a job sent earlier would wait for its first worker.
    /// </summary>
    /// <returns>The leader's node.</returns>
    public static async Task<PalmNode> StartParallelAsync<TServer>(this PalmTestCluster cluster, string name, int workers) where TServer : PalmServer, new()
    {
        var leader = await cluster.StartServerAsync<TServer>(name, ServerRole.Leader);
        await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => cluster.StartServerAsync<TServer>(name, ServerRole.Worker)));
        await leader.WaitForServersAsync([name], cluster.Timeout, minWorkers: workers);
        return leader;
    }

    /// <summary>Connects a client of its own (pylm's <c>Client</c>) that knows <paramref name="servers"/>.</summary>
    public static async Task<PalmClient> ConnectAsync(this PalmTestCluster cluster, params string[] servers)
    {
        var client = await cluster.ConnectClientAsync();
        await client.WaitForServersAsync(servers, cluster.Timeout);
        return client;
    }

    /// <summary>Runs a job to its end (which the client knows by itself) and returns every result.</summary>
    public static async Task<List<JobResult>> RunAllAsync(this PalmClient client, IReadOnlyList<string> route, IEnumerable<byte[]> inputs,
        CancellationToken cancellationToken, JobOptions? options = null)
    {
        var results = new List<JobResult>();
        await foreach (var result in client.RunJob(route, inputs, options, cancellationToken)) results.Add(result);
        return results;
    }

    /// <summary>Runs a job on a route that forks to its end and returns every result.</summary>
    public static async Task<List<JobResult>> RunAllAsync(this PalmClient client, JobRoute route, IEnumerable<byte[]> inputs,
        CancellationToken cancellationToken, JobOptions? options = null)
    {
        var results = new List<JobResult>();
        await foreach (var result in client.RunJob(route, inputs, options, cancellationToken)) results.Add(result);
        return results;
    }
}
