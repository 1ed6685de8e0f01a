using Akka.Configuration;
using Palm.Servers;
using Palm.TestKit;
using Palm.Tests.Servers.Butterfly;
using Xunit;

namespace Palm.Tests.Servers;

/// <summary>
/// Asynchronous functions with several calls at once per server instance, across real remoting: the server, the
/// client and (for the butterfly) the leader and its worker each in an actor system of their own.
/// </summary>
public sealed class ConcurrencyTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private const int Inputs = 300;

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
        var status = (await client.GetStatusAsync()).Single(s => s.Name == "o");
        Assert.Equal((Inputs, Inputs - Inputs / 10, Inputs / 10), (status.MessagesIn, status.MessagesOut, status.Errors));
    }

    [Fact]
    public async Task A_butterfly_worker_overlaps_calls_and_gets_a_window_large_enough_to_run_them()
    {
        await using var cluster = await PalmTestCluster.StartAsync();
        await cluster.StartServerAsync<OverlapServer>("o", ServerRole.Leader);
        await cluster.StartServerAsync<OverlapServer>("o", ServerRole.Worker);
        var client = await cluster.ConnectClientAsync();
        await AwaitAssertAsync(async () => Assert.Equal(1, (await client.GetStatusAsync()).Single(s => s.Role == "leader").Workers), Wait);
        var run = OverlapRun.Start(nameof(A_butterfly_worker_overlaps_calls_and_gets_a_window_large_enough_to_run_them), OverlapServer.Limit);

        // A worker starts with a window of 2: the calls complete only if the worker tells its leader it has room for more.
        var results = await client.RunAll(["o.overlap"], OverlapRun.Inputs(nameof(A_butterfly_worker_overlaps_calls_and_gets_a_window_large_enough_to_run_them), Inputs), Wait);

        Assert.Equal(OverlapServer.Limit, run.Max);
        Assert.Equal(Inputs, run.Calls);
        OverlapAssert.EachInputOnce(results, Inputs, "o", "overlap");
        var worker = (await client.GetStatusAsync()).Single(s => s.Role == "worker");
        Assert.Equal((Inputs, Inputs / 10), (worker.MessagesIn, worker.Errors));
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
}
