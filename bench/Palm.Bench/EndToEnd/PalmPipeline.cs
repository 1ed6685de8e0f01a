using System.Diagnostics;
using Akka.Configuration;
using Palm.Bench.Common;
using Palm.Client;
using Palm.Hosting;
using Palm.Transport;
using Palm.TestKit;

namespace Palm.Bench.EndToEnd;

/// <summary>
/// A Palm cluster in this process for one scenario: a seed node, one node per server (each its own actor
/// system, real remoting on loopback) and a client in an actor system of its own.
/// </summary>
public sealed class PalmPipeline : IAsyncDisposable
{
    private readonly PalmTestCluster _cluster;
    private readonly string[] _route;
    private readonly List<PalmNode> _nodes;

    private PalmPipeline(PalmTestCluster cluster, List<PalmNode> nodes, PalmClient client, string[] route) =>
        (_cluster, _nodes, Client, _route) = (cluster, nodes, client, route);

    /// <summary>
    /// Akka's own log lines are off in the benchmark (tearing down a dozen actor systems at once logs
    /// disassociation errors that say nothing about the figures); <c>--verbose</c> turns them back on.
    /// Delivery is checked by counting, not by reading logs.
    /// </summary>
    public static Config Quiet { get; set; } = ConfigurationFactory.ParseString("akka.loglevel = OFF\nakka.stdout-loglevel = OFF");

    /// <summary>The client of the scenario.</summary>
    public PalmClient Client { get; }

    /// <summary>Starts a cluster with one <see cref="PassServer"/> node per name and a route calling <c>pass</c> on each in turn.</summary>
    /// <param name="servers">One node per server name.</param>
    /// <param name="config">HOCON for every node and the client.</param>
    /// <param name="clientConfig">HOCON for the client only, over <paramref name="config"/> (its own certificate, say).</param>
    public static async Task<PalmPipeline> StartAsync(IReadOnlyList<string> servers, Config? config = null, Config? clientConfig = null)
    {
        config = Combine(Combine(config ?? Config.Empty, BenchOptions.PalmHocon), Quiet);
        var cluster = await PalmTestCluster.StartAsync(config);
        try
        {
            var nodes = new List<PalmNode> { cluster.Seed };
            foreach (var name in servers) nodes.Add(await cluster.StartServerAsync<PassServer>(name));
            var client = await PalmClient.ConnectAsync(cluster.Seed.Address, Combine(clientConfig ?? Config.Empty, config));
            await client.WaitForServersAsync(servers, TimeSpan.FromSeconds(30));
            return new PalmPipeline(cluster, nodes, client, servers.Select(s => s + ".pass").ToArray());
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary><paramref name="a"/> over <paramref name="b"/>; either may be empty.</summary>
    public static Config Combine(Config a, Config b) => a.IsEmpty ? b : b.IsEmpty ? a : a.WithFallback(b);

    /// <summary>Starts server <paramref name="name"/> of type <typeparamref name="TServer"/> on a node of its own, beside the pipeline's, and waits until the client sees it.</summary>
    public async Task StartServerAsync<TServer>(string name) where TServer : Palm.Servers.PalmServer, new()
    {
        _nodes.Add(await _cluster.StartServerAsync<TServer>(name));
        await Client.WaitForServersAsync([name], TimeSpan.FromSeconds(30));
    }

    /// <summary>Runs a job of <paramref name="count"/> payloads of <paramref name="size"/> bytes; the value is messages per second.</summary>
    public Task<Measurement> RunJobAsync(long count, int size, int? window, TimeSpan stall) =>
        MeasureAsync(new Delivery(count), count, stall, (delivery, cancel) => Consume(delivery, count, size, window, cancel));

    /// <summary>
    /// Times <paramref name="consume"/> (a job reading its results into the delivery check) until it ends, or until no result
    /// has arrived for <paramref name="stall"/> (then it is cancelled, and the counts say what was lost); the value is
    /// <paramref name="units"/> per second.
    /// </summary>
    public static async Task<Measurement> MeasureAsync(Delivery delivery, double units, TimeSpan stall, Func<Delivery, CancellationToken, Task> consume)
    {
        using var cancel = new CancellationTokenSource();
        var watch = Stopwatch.StartNew();
        var run = consume(delivery, cancel.Token);
        if (!await Completion.WaitOrStall(run, () => delivery.Received, stall))
        {
            cancel.Cancel();
            try { await run; } catch (OperationCanceledException) { }
        }
        watch.Stop();
        return new Measurement(units / watch.Elapsed.TotalSeconds, delivery);
    }

    /// <summary>Payloads of <paramref name="size"/> bytes carrying the sequence numbers 0 to <paramref name="count"/> - 1.</summary>
    public static IEnumerable<byte[]> Inputs(long count, int size)
    {
        for (long i = 0; i < count; i++) yield return Delivery.Payload(i, size);
    }

    private async Task Consume(Delivery delivery, long count, int size, int? window, CancellationToken cancellationToken)
    {
        var options = new JobOptions { Window = window };
        await foreach (var r in Client.RunJob(_route, Inputs(count, size), options, cancellationToken).ConfigureAwait(false))
        {
            if (r.IsError) delivery.Error();
            else delivery.Arrived(r.InputIndex, r.Payload.Span);
        }
    }

    /// <summary>Evaluates <paramref name="rounds"/> single payloads one after the other; returns each round trip in microseconds.</summary>
    public async Task<(double[] Micros, Delivery Delivery)> EvalAsync(int rounds, int size)
    {
        var delivery = new Delivery(rounds);
        var micros = new double[rounds];
        for (var i = 0; i < rounds; i++)
        {
            var payload = Delivery.Payload(i, size);
            var started = Stopwatch.GetTimestamp();
            var result = await Client.EvalAsync(_route, payload).ConfigureAwait(false);
            micros[i] = Stopwatch.GetElapsedTime(started).TotalMicroseconds;
            if (result is null) delivery.Error();
            else delivery.Arrived(Delivery.SeqOf(result), result);
        }
        return (micros, delivery);
    }

    /// <summary>Per system (client first, then the seed and the servers): envelopes written to lanes / sent through Akka.Remote, and whether lanes run TLS.</summary>
    public string LaneCounts()
    {
        var systems = new[] { Client.System }.Concat(_nodes.Select(n => n.System));
        return string.Join(", ", systems.Select(s => Palm.Transport.DataLanes.Get(s)).Select(l =>
            $"{l.Counters.Sent:N0}/{l.Counters.ViaRemote + l.Counters.Resent:N0}{(l.Tls ? " tls" : "")}"));
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await _cluster.DisposeAsync();
    }
}
