using System.Diagnostics;
using Akka.Configuration;
using Palm.Client;
using Palm.Hosting;
using Palm.Servers;
using Palm.TestKit;

namespace Palm.Bench.Butterfly;

/// <summary>
/// The cluster of one figure: a seed, a node for the leaders, worker nodes and a client, each its own actor
/// system on loopback. Each figure gets a cluster of its own, so that idle actor systems of other figures
/// do not take CPU from it.
/// </summary>
internal sealed class BenchRig : IAsyncDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private readonly PalmTestCluster _cluster;

    private BenchRig(PalmTestCluster cluster, PalmClient client, PalmNode leaders, IReadOnlyList<PalmNode> workers) =>
        (_cluster, Client, Leaders, Workers) = (cluster, client, leaders, workers);

    public PalmClient Client { get; }
    public PalmNode Leaders { get; }
    public IReadOnlyList<PalmNode> Workers { get; }

    /// <summary>Starts a cluster with a leaders' node and <paramref name="workerNodes"/> empty worker nodes.</summary>
    public static async Task<BenchRig> StartAsync(Config config, int workerNodes)
    {
        var cluster = await PalmTestCluster.StartAsync(config);
        var leaders = await cluster.StartNodeAsync();
        var workers = new List<PalmNode>();
        for (var i = 0; i < workerNodes; i++) workers.Add(await cluster.StartNodeAsync());
        return new BenchRig(cluster, await cluster.ConnectClientAsync(), leaders, workers);
    }

    /// <summary>Starts butterfly server <paramref name="name"/>: its leader on the leaders' node, a worker on each of the first <paramref name="workers"/> worker nodes.</summary>
    public async Task StartButterflyAsync<TServer>(string name, int workers) where TServer : ButterflyServer, new()
    {
        await Leaders.StartServerAsync<TServer>(name, ServerRole.Leader);
        foreach (var node in Workers.Take(workers)) await node.StartServerAsync<TServer>(name, ServerRole.Worker);
        await Leaders.WaitForServersAsync([name], Wait, workers);
        await Client.WaitForServersAsync([name], Wait, workers);
    }

    /// <summary>Starts parallel server <paramref name="name"/> of any template (scatter-gather, reduce): as <see cref="StartButterflyAsync{TServer}"/>.</summary>
    public async Task StartParallelAsync<TServer>(string name, int workers) where TServer : PalmServer, new()
    {
        await Leaders.StartServerAsync<TServer>(name, ServerRole.Leader);
        foreach (var node in Workers.Take(workers)) await node.StartServerAsync<TServer>(name, ServerRole.Worker);
        await Leaders.WaitForServersAsync([name], Wait, workers);
        await Client.WaitForServersAsync([name], Wait, workers);
    }

    /// <summary>Starts a serial server on a node of its own.</summary>
    public async Task StartSerialAsync<TServer>(string name) where TServer : RegisteredServer, new()
    {
        await _cluster.StartServerAsync<TServer>(name);
        await Client.WaitForServersAsync([name], Wait);
    }

    /// <summary>Runs a one-step job of <paramref name="count"/> copies of <paramref name="payload"/>; counts what came back.</summary>
    public async Task<Outcome> RunAsync(string step, int count, byte[] payload, Tally? tally = null)
    {
        var seen = new int[count];
        var errors = 0;
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var watch = Stopwatch.StartNew();
        await foreach (var r in Client.RunJob([step], Enumerable.Repeat(payload, count), cancellationToken: limit.Token))
        {
            if (r.IsError) errors++;
            else seen[r.InputIndex]++;
        }
        watch.Stop();
        var outcome = new Outcome(watch.Elapsed.TotalSeconds, count, seen.Count(s => s == 0), seen.Sum(s => Math.Max(0, s - 1)), errors);
        tally?.Add(outcome);
        return outcome;
    }

    public async ValueTask DisposeAsync() => await _cluster.DisposeAsync();
}

/// <summary>One timed job: wall time and what came back.</summary>
internal sealed record Outcome(double Seconds, int Count, int Lost, int Duplicated, int Errors)
{
    /// <summary>The run of median time among <paramref name="runs"/>.</summary>
    public static Outcome Median(IReadOnlyList<Outcome> runs) => runs.OrderBy(r => r.Seconds).ElementAt(runs.Count / 2);
}

/// <summary>Lost, duplicated and error results over every timed run.</summary>
internal sealed class Tally
{
    public long Messages, Lost, Duplicated, Errors;

    public bool Exact => Lost == 0 && Duplicated == 0 && Errors == 0;

    public void Add(Outcome o)
    {
        Messages += o.Count;
        Lost += o.Lost;
        Duplicated += o.Duplicated;
        Errors += o.Errors;
    }
}
