using Akka.Configuration;
using Akka.Event;
using Palm.Client;
using Palm.Servers;
using Palm.TestKit;
using Palm.Templates.Parallel;
using Palm.Tests.Support;
using Palm.Tests.Templates.Parallel;
using Xunit;

namespace Palm.Tests.Servers;

/// <summary>
/// Asynchronous functions with several calls at once per server instance, across real remoting: the server, the
/// client and (for the butterfly) the leader and its worker each in an actor system of their own.
/// </summary>
[Trait(TestCategories.Category, TestCategories.Cluster)]
public sealed class ConcurrencyTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private const int Inputs = 300;

    /// <summary>Waits until the leader uses its worker and the client's directory lists it (for its status).</summary>
    private async Task AwaitWorker(Palm.Client.PalmClient client) =>
        await AwaitAssertAsync(async () =>
        {
            var status = (await client.GetStatusAsync()).Servers;
            Assert.Equal(1, Assert.Single(status, s => s.Role == "leader").Workers);
            Assert.Single(status, s => s.Role == "worker");
        }, Wait);

    [Fact]
    public async Task A_serial_server_overlaps_calls_of_an_async_function_up_to_its_max_concurrency()
    {
        await using var cluster = await PalmTestCluster.StartAsync();
        await cluster.StartServerAsync<OverlapServer>("o");
        var client = await cluster.ConnectClientAsync();
        var run = OverlapRun.Start(nameof(A_serial_server_overlaps_calls_of_an_async_function_up_to_its_max_concurrency), OverlapServer.Limit);

        var results = await client.RunAll(["o.overlap"], OverlapRun.Inputs(nameof(A_serial_server_overlaps_calls_of_an_async_function_up_to_its_max_concurrency), Inputs), Wait);

        // Calls waited for each other until 8 ran at once; never more than 8 ran.
        Assert.Equal(OverlapServer.Limit, run.Max);
        Assert.Equal(Inputs, run.Calls);
        OverlapAssert.EachInputOnce(results, Inputs, "o", "overlap");
        var status = (await client.GetStatusAsync()).Servers.Single(s => s.Name == "o");
        Assert.Equal((Inputs, Inputs - Inputs / 10, Inputs / 10), (status.MessagesIn, status.MessagesOut, status.Errors));
    }

    [Fact]
    public async Task A_butterfly_worker_overlaps_calls_and_gets_a_window_large_enough_to_run_them()
    {
        await using var cluster = await PalmTestCluster.StartAsync();
        await cluster.StartServerAsync<OverlapServer>("o", ServerRole.Leader);
        await cluster.StartServerAsync<OverlapServer>("o", ServerRole.Worker);
        var client = await cluster.ConnectClientAsync();
        await AwaitWorker(client);
        var run = OverlapRun.Start(nameof(A_butterfly_worker_overlaps_calls_and_gets_a_window_large_enough_to_run_them), OverlapServer.Limit);

        // A worker starts with a window of 2: the calls complete only if the worker tells its leader it has room for more.
        var results = await client.RunAll(["o.overlap"], OverlapRun.Inputs(nameof(A_butterfly_worker_overlaps_calls_and_gets_a_window_large_enough_to_run_them), Inputs), Wait);

        Assert.Equal(OverlapServer.Limit, run.Max);
        Assert.Equal(Inputs, run.Calls);
        OverlapAssert.EachInputOnce(results, Inputs, "o", "overlap");
        var worker = (await client.GetStatusAsync()).Servers.Single(s => s.Role == "worker");
        Assert.Equal((Inputs, Inputs / 10), (worker.MessagesIn, worker.Errors));
    }

    [Fact]
    public async Task A_butterfly_worker_that_fails_with_calls_in_flight_stops_and_its_leader_redispatches_them()
    {
        // A worker that restarted would keep its address and forget the calls it held: nobody would answer them, and with
        // sessions as the only loss recovery nothing would send them again. It stops instead, and its leader's DeathWatch
        // re-dispatches them to the other worker.
        await using var cluster = await PalmTestCluster.StartAsync();
        var leader = await cluster.StartServerAsync<OverlapServer>("o", ServerRole.Leader);
        var failing = await cluster.StartServerAsync<OverlapServer>("o", ServerRole.Worker);
        var client = await cluster.ConnectClientAsync();
        await AwaitWorker(client);
        var key = nameof(A_butterfly_worker_that_fails_with_calls_in_flight_stops_and_its_leader_redispatches_them);
        var run = OverlapRun.Start(key, OverlapServer.Limit, hold: true);
        var job = client.RunAll(["o.overlap"], OverlapRun.Inputs(key, 40), Wait);
        // Eight calls run on the worker and wait: it holds them.
        await run.AllIn.Task.WaitAsync(Wait);
        await cluster.StartServerAsync<OverlapServer>("o", ServerRole.Worker);
        await AwaitAssertAsync(async () => Assert.Equal(2, (await client.GetStatusAsync()).Servers.Single(s => s.Role == "leader").Workers), Wait);
        var redispatched = LogWatch.For(leader.System, text => text.Contains(failing.Address + "/", StringComparison.Ordinal)
            && text.Contains(" stopped; re-dispatching its ", StringComparison.Ordinal));

        // A fault of Palm's own inside the worker, as its leader's message: a batch of work without items.
        var worker = await failing.System.ActorSelection("/user/palm/worker-o-1").ResolveOne(Wait);
        Assert.True(failing.Directory.Current.TryGet("o", out var leaderEntry));
        worker.Tell(new WorkBatch(null!), leaderEntry.Server);
        Assert.Matches("re-dispatching its [1-9][0-9]* unanswered", await redispatched.WaitAsync(Wait));
        run.Hold.SetResult();

        OverlapAssert.EachInputOnce(await job, 40, "o", "overlap");
    }

    [Fact]
    public async Task Palm_server_max_concurrency_sets_the_default_for_async_functions_without_an_attribute_value()
    {
        await using var cluster = await PalmTestCluster.StartAsync(ConfigurationFactory.ParseString("palm.server.max-concurrency = 4"));
        await cluster.StartServerAsync<OverlapServer>("o");
        var client = await cluster.ConnectClientAsync();
        var key = nameof(Palm_server_max_concurrency_sets_the_default_for_async_functions_without_an_attribute_value);
        var run = OverlapRun.Start(key, 4);

        var results = await client.RunAll(["o.byDefault"], OverlapRun.Inputs(key, Inputs), Wait);

        Assert.Equal(4, run.Max);
        OverlapAssert.EachInputOnce(results, Inputs, "o", "byDefault");
    }

    [Fact]
    public async Task Async_functions_run_one_call_at_a_time_by_default()
    {
        await using var cluster = await PalmTestCluster.StartAsync();
        await cluster.StartServerAsync<OverlapServer>("o");
        var client = await cluster.ConnectClientAsync();
        var key = nameof(Async_functions_run_one_call_at_a_time_by_default);
        var run = OverlapRun.Start(key, int.MaxValue);

        var results = await client.RunAll(["o.count"], Enumerable.Range(0, Inputs).Select(i => Support.Text.Bytes($"{key}:{i}")), Wait);

        Jobs.AssertExactlyOnce(results, Inputs);
        Assert.Equal(1, run.Max);
    }

    [Fact]
    public async Task A_butterfly_worker_warns_at_start_of_a_function_allowed_more_calls_than_its_window_and_runs_at_most_the_window()
    {
        await using var cluster = await PalmTestCluster.StartAsync(ConfigurationFactory.ParseString("palm.butterfly.worker-window = 4"));
        await cluster.StartServerAsync<OverlapServer>("o", ServerRole.Leader);
        var worker = await cluster.StartNodeAsync();
        var warned = LogWatch.For(worker.System, text => text.Contains("palm.butterfly.worker-window", StringComparison.Ordinal));
        await worker.StartServerAsync(new OverlapServer(), "o", ServerRole.Worker);

        // 'overlap' allows 8 calls at once (its attribute); 'byDefault' allows 1 (palm.server.max-concurrency) and is not named.
        var warning = await warned.WaitAsync(Wait);
        Assert.Contains("'overlap' may run 8 calls at once", warning);
        Assert.Contains("worker-window = 4", warning);
        Assert.DoesNotContain("byDefault", warning);

        // What it warns of: the calls run 4 at a time, not 8, and every input still gets its one result.
        var client = await cluster.ConnectClientAsync();
        await AwaitWorker(client);
        var key = nameof(A_butterfly_worker_warns_at_start_of_a_function_allowed_more_calls_than_its_window_and_runs_at_most_the_window);
        var run = OverlapRun.Start(key, 4);
        var results = await client.RunAll(["o.overlap"], OverlapRun.Inputs(key, Inputs), Wait);
        Assert.Equal(4, run.Max);
        OverlapAssert.EachInputOnce(results, Inputs, "o", "overlap");
    }
}
