using System.Text.RegularExpressions;
using Akka.Configuration;
using Akka.Event;
using Palm.Client;
using Palm.Hosting;
using Palm.Messages;
using Palm.Servers;
using Palm.Transport;
using Palm.TestKit;
using Palm.Tests.Support;
using Xunit;

namespace Palm.Tests.Templates.Parallel;

/// <summary>Workers joining, leaving and running at different speeds, each node its own actor system with real remoting.</summary>
[Trait(TestCategories.Category, TestCategories.Cluster)]
public sealed partial class ButterflyClusterTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    // Drain lines are Info; the nodes publish Info events only when asked to.
    private static readonly Config InfoLog = ConfigurationFactory.ParseString("akka.loglevel = INFO");

    private static async Task<(PalmTestCluster Cluster, PalmNode Leader, PalmClient Client)> StartLeader(Config? config = null)
    {
        var cluster = await PalmTestCluster.StartAsync(config);
        var leader = await cluster.StartServerAsync<CrunchServer>("c", ServerRole.Leader);
        return (cluster, leader, await cluster.ConnectClientAsync());
    }

    /// <summary>
    /// The messages the worker on <paramref name="node"/> took, as the client's status says once it lists that worker as up:
    /// the client sees the directory of its contact node, which may learn of a worker that joined a moment ago later
    /// than the worker's leader does (a worker not listed yet, or silent, would read as no work at all).
    /// </summary>
    private async Task<long> WorkDoneOn(PalmClient client, PalmNode node)
    {
        long done = 0;
        await AwaitAssertAsync(async () =>
        {
            var workers = (await client.GetStatusAsync()).Servers.Where(s => s.Role == "worker" && s.Node == node.Address).ToArray();
            Assert.NotEmpty(workers);
            Assert.All(workers, w => Assert.Equal(ServerState.Up, w.State));
            done = workers.Sum(s => s.MessagesIn);
        }, Wait);
        return done;
    }

    private async Task AwaitWorkers(PalmClient client, int count) =>
        await AwaitAssertAsync(async () => Assert.Equal(count, (await client.GetStatusAsync()).Servers.Single(s => s.Role == "leader").Workers), Wait);

    [Fact]
    public async Task Butterfly_server_gives_a_four_times_slower_worker_about_a_quarter_of_the_work()
    {
        var (cluster, leader, client) = await StartLeader();
        await using var _ = cluster;
        await cluster.StartServerAsync<CrunchServer>("c", ServerRole.Worker);
        var slow = await cluster.StartServerAsync<SlowCrunchServer>("c", ServerRole.Worker);
        await AwaitWorkers(client, 2);

        // 2 ms per message on the fast worker, 8 ms on the slow one: a fair share for the slow one is 1/5.
        const int count = 1000;
        var results = await client.RunAll(["c.work"], Enumerable.Range(0, count).Select(_ => new byte[] { 2 }), Wait);

        Jobs.AssertExactlyOnce(results, count);
        var share = (double)await WorkDoneOn(client, slow) / count;
        Assert.InRange(share, 0.10, 0.40);
        // Work reached the worker on the data lane from the leader, and its answers came back on one.
        Assert.True(Palm.Transport.DataLanes.Get(slow.System).Inbox!.Delivered > 0, "the worker received nothing on a lane");
        Assert.True(Palm.Transport.DataLanes.Get(leader.System).Inbox!.Delivered > 0, "the leader received nothing on a lane");
    }

    [Fact]
    public async Task Butterfly_server_sends_work_to_a_worker_that_joins_mid_job()
    {
        var (cluster, leader, client) = await StartLeader();
        await using var _ = cluster;
        await cluster.StartServerAsync<CrunchServer>("c", ServerRole.Worker);
        await AwaitWorkers(client, 1);

        var firstResults = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // The part after the join is long enough (2,400 calls of 2 ms) that a worker which joined gets a fair
        // share even on a loaded machine, where the new worker's window takes a while to grow.
        var job = client.RunAll(["c.work"], Jobs.Gated(200, 2400, gate.Task, _ => [2]), Wait,
            onResult: n => { if (n == 100) firstResults.TrySetResult(); });
        await firstResults.Task.WaitAsync(Wait);

        var late = await cluster.StartServerAsync<CrunchServer>("c", ServerRole.Worker);
        await AwaitWorkers(client, 2);
        gate.SetResult();

        Jobs.AssertExactlyOnce(await job, 2600);
        Assert.True(await WorkDoneOn(client, late) > 100, "the worker that joined mid-job got little or no work");
    }

    /// <summary>
    /// Runs a job of 1 ms calls that keeps the leader busy until <paramref name="leaving"/> has shut down (StopNodeAsync:
    /// coordinated shutdown, as SIGTERM runs it), then checks every result exactly once and that <paramref name="staying"/> worked.
    /// </summary>
    private async Task RunWhileAWorkerShutsDown(PalmTestCluster cluster, PalmClient client, PalmNode leaving, PalmNode staying)
    {
        // The source keeps the leader busy until the leaving worker is gone, so that it shuts down holding messages.
        var gone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstResults = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sent = 0;
        async IAsyncEnumerable<byte[]> Source()
        {
            while (!gone.Task.IsCompleted && sent < 200_000)
            {
                sent++;
                yield return [1];
                if (sent % 100 == 0) await Task.Yield();
            }
            for (var i = 0; i < 200; i++, sent++) yield return [1];
        }
        var job = client.RunAll(["c.work"], Source(), Wait, onResult: n => { if (n == 300) firstResults.TrySetResult(); });
        await firstResults.Task.WaitAsync(Wait);

        await cluster.StopNodeAsync(leaving);
        await AwaitWorkers(client, 1);
        gone.SetResult();

        Jobs.AssertExactlyOnce(await job, sent);
        Assert.True(await WorkDoneOn(client, staying) > 0);
    }

    [Fact]
    public async Task Butterfly_worker_node_that_shuts_down_mid_job_first_answers_what_it_holds_and_nothing_is_redispatched()
    {
        var (cluster, leader, client) = await StartLeader(InfoLog);
        await using var _ = cluster;
        var leaving = await cluster.StartServerAsync<CrunchServer>("c", ServerRole.Worker);
        var staying = await cluster.StartServerAsync<CrunchServer>("c", ServerRole.Worker);
        await AwaitWorkers(client, 2);
        bool FromLeaving(string text) => text.Contains(leaving.Address + "/", StringComparison.Ordinal);
        var drained = LogWatch.For<Info>(leader.System, text => FromLeaving(text) && text.Contains(" drained: ", StringComparison.Ordinal));
        var left = LogWatch.For<LogEvent>(leader.System, text => FromLeaving(text) && text.Contains(" re-dispatching its ", StringComparison.Ordinal));
        var workerDrained = LogWatch.For<Info>(leaving.System, text => text.Contains(" drained in ", StringComparison.Ordinal));

        await RunWhileAWorkerShutsDown(cluster, client, leaving, staying);

        // It was busy when it began to shut down, answered all of it, and left with nothing to re-dispatch.
        var held = int.Parse(HeldAtDrain().Match(await drained.WaitAsync(Wait)).Groups[1].Value);
        Assert.True(held > 0, "the worker held nothing when it began to shut down: the test did not test a drain");
        Assert.Matches(RedispatchedNone(), await left.WaitAsync(Wait));
        Assert.True(workerDrained.IsCompletedSuccessfully, "the worker did not log that its drain completed");
    }

    [Fact]
    public async Task Butterfly_worker_node_whose_drain_times_out_leaves_anyway_and_no_message_is_lost()
    {
        // A drain that cannot finish in time: the node leaves without the leader's word, and the leader re-dispatches
        // whatever the worker still holds by the time it sees it leave.
        var (cluster, leader, client) = await StartLeader(InfoLog.WithFallback(ConfigurationFactory.ParseString("palm.butterfly.drain-timeout = 1ms")));
        await using var _ = cluster;
        var leaving = await cluster.StartServerAsync<CrunchServer>("c", ServerRole.Worker);
        var staying = await cluster.StartServerAsync<CrunchServer>("c", ServerRole.Worker);
        await AwaitWorkers(client, 2);
        var left = LogWatch.For<LogEvent>(leader.System,
            text => text.Contains(leaving.Address + "/", StringComparison.Ordinal) && text.Contains(" re-dispatching its ", StringComparison.Ordinal));
        var timedOut = LogWatch.For(leaving.System, text => text.Contains("was not drained within", StringComparison.Ordinal));

        await RunWhileAWorkerShutsDown(cluster, client, leaving, staying);

        await left.WaitAsync(Wait);
        Assert.True(timedOut.IsCompletedSuccessfully, "the worker did not log that its drain timed out");
    }

    [GeneratedRegex(@"none of the (\d+) messages it held")]
    private static partial Regex HeldAtDrain();

    [GeneratedRegex(@"re-dispatching its 0 unanswered")]
    private static partial Regex RedispatchedNone();
}

/// <summary>A leader and two workers, each on a node of its own, shared by the tests that leave them running.</summary>
public sealed class ButterflyClusterFixture : IAsyncLifetime
{
    public PalmTestCluster Cluster { get; private set; } = null!;
    public PalmClient Client { get; private set; } = null!;
    public PalmNode[] Workers { get; private set; } = [];

    public async Task InitializeAsync()
    {
        Cluster = await PalmTestCluster.StartAsync();
        var leader = await Cluster.StartServerAsync<CrunchServer>("c", ServerRole.Leader);
        Workers = [await Cluster.StartServerAsync<CrunchServer>("c", ServerRole.Worker), await Cluster.StartServerAsync<CrunchServer>("c", ServerRole.Worker)];
        Client = await Cluster.ConnectClientAsync();
        await leader.WaitForServersAsync(["c"], TimeSpan.FromSeconds(60), minWorkers: 2);
        await Client.WaitForServersAsync(["c"], TimeSpan.FromSeconds(60), minWorkers: 2);
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

/// <summary>What a client sees of a butterfly server whose workers run on other nodes.</summary>
[Trait(TestCategories.Category, TestCategories.Cluster)]
public sealed class ButterflyAcrossNodesTests(ButterflyClusterFixture fixture) : IClassFixture<ButterflyClusterFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private PalmClient Client => fixture.Client;

    private async Task<long[]> WorkPerWorker() =>
        await Task.WhenAll(fixture.Workers.Select(async w => (await Client.GetStatusAsync()).Servers.Where(s => s.Role == "worker" && s.Node == w.Address).Sum(s => s.MessagesIn)));

    [Fact]
    public async Task Butterfly_workers_on_other_nodes_read_and_write_the_cache_that_clients_use()
    {
        var cache = Client.Cache("c");
        var key = await cache.SetAsync(Text.Bytes("set by the client"));
        var before = await WorkPerWorker();

        var read = await Client.RunAll(["c.fromCache"], Enumerable.Range(0, 40).Select(_ => Array.Empty<byte>()), Wait, new JobOptions { CacheKey = key });
        Assert.Equal(40, read.Count);
        Assert.All(read, r => Assert.Equal("set by the client", Text.Of(r.Payload)));
        var after = await WorkPerWorker();
        Assert.All(after.Zip(before), p => Assert.True(p.First > p.Second, "a worker did not run the cache reads"));

        await Client.RunAll(["c.remember"], "abcdefghij".Select(ch => Text.Bytes(ch.ToString())), Wait, new JobOptions { CacheKey = "merged" });
        Assert.Equal("abcdefghij", string.Concat(Text.Of(await cache.GetAsync("merged")).Order()));
    }

    [Fact]
    public async Task Butterfly_worker_on_another_node_turns_a_throwing_function_into_an_error_result()
    {
        var results = await Client.RunAll(["c.picky", "c.echo"], new[] { "good", "bad", "fine", "bad" }.Select(Text.Bytes), Wait);

        var errors = results.Where(r => r.IsError).Select(r => r.Error!).ToList();
        Assert.Equal(2, errors.Count);
        Assert.All(errors, e => Assert.Equal((PalmErrorKind.FunctionFailed, "c", "picky", typeof(FormatException).FullName), (e.Kind, e.Server, e.Function, e.ExceptionType)));
        Assert.Equal(["fine", "good"], results.Where(r => !r.IsError).Select(r => Text.Of(r.Payload)).Order());
    }

    [Fact]
    public async Task Butterfly_job_across_nodes_completes_by_itself_with_zero_one_or_many_outputs_per_message()
    {
        const int count = 2000;
        var results = await Client.RunAll(["c.fan", "c.work", "c.fan"], Enumerable.Range(0, count).Select(i => new[] { (byte)0, (byte)(i % 3) }), Wait);

        Assert.DoesNotContain(results, r => r.IsError);
        var perInput = results.GroupBy(r => r.InputIndex).ToDictionary(g => g.Key, g => g.Count());
        for (var i = 0; i < count; i++) Assert.Equal(i % 3 * (i % 3), perInput.GetValueOrDefault(i));
    }
}
