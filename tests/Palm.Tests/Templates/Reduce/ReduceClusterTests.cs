using Akka.Configuration;
using Palm.Client;
using Palm.Messages;
using Palm.Servers;
using Palm.TestKit;
using Palm.Tests.Templates.Parallel;
using Palm.Tests.Support;
using Xunit;

namespace Palm.Tests.Templates.Reduce;

/// <summary>Reduce servers across real remoting: every node its own actor system, the client in one of its own.</summary>
[Trait(TestCategories.Category, TestCategories.Cluster)]
public sealed class ReduceClusterTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);

    private static IEnumerable<byte[]> OneTo(long n)
    {
        for (long i = 1; i <= n; i++) yield return Int64s.Bytes(i);
    }

    private async Task<(PalmTestCluster Cluster, PalmClient Client)> StartWithWorkers<TServer>(string name, int workers, Config? config = null)
        where TServer : PalmServer, new()
    {
        var cluster = await PalmTestCluster.StartAsync(config);
        await cluster.StartServerAsync<TServer>(name, ServerRole.Leader);
        for (var i = 0; i < workers; i++) await cluster.StartServerAsync<TServer>(name, ServerRole.Worker);
        var client = await cluster.ConnectClientAsync();
        await AwaitAssertAsync(async () => Assert.Equal(workers, (await client.GetStatusAsync()).Servers.Single(s => s.Role == "leader").Workers), Wait);
        return (cluster, client);
    }

    [Fact]
    public async Task Reduce_server_sums_one_to_a_hundred_thousand_over_two_workers_into_one_result()
    {
        var (cluster, client) = await StartWithWorkers<SumServer>("sum", 2);
        await using var _ = cluster;

        var results = await client.RunAll(["sum.add"], OneTo(100_000), Wait);

        var result = Assert.Single(results);
        Assert.False(result.IsError, result.ToString());
        Assert.Equal(5_000_050_000L, Int64s.Of(result.Payload));
        Assert.True(result.InputIndex < 0, "a reduce's result is a message of its own, with a negative input index");
        // Both workers mapped: the fold is the leader's, the map is spread.
        var workers = (await client.GetStatusAsync()).Servers.Where(s => s.Role == "worker").ToArray();
        Assert.All(workers, w => Assert.True(w.MessagesIn > 0, $"worker {w.Node} mapped nothing"));
        // The same cluster again: a second job gets its own fold.
        Assert.Equal(5050L, Int64s.Of(Assert.Single(await client.RunAll(["sum.add"], OneTo(100), Wait)).Payload));
    }

    [Fact]
    public async Task Reduce_server_counts_words_per_key_exactly_as_counted_in_the_test()
    {
        var (cluster, client) = await StartWithWorkers<WordCountServer>("wc", 2);
        await using var _ = cluster;
        var vocabulary = new[] { "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta" };
        var random = new Random(42);
        var lines = Enumerable.Range(0, 2000)
            .Select(_ => string.Join(' ', Enumerable.Range(0, random.Next(0, 12)).Select(_ => vocabulary[random.Next(vocabulary.Length)])))
            .ToArray();
        var expected = lines.SelectMany(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .GroupBy(w => w).ToDictionary(g => g.Key, g => (long)g.Count());

        var results = await client.RunAll(["wc.words"], lines.Select(Text.Bytes), Wait);

        Assert.All(results, r => Assert.False(r.IsError, r.ToString()));
        var counted = results.Select(r => ReduceServer.ParseKeyedResult(r.Payload)).ToArray();
        // One result per key, each exactly once.
        Assert.Equal(expected.Count, counted.Length);
        Assert.Equal(expected.Count, counted.Select(c => c.Key).Distinct().Count());
        Assert.Equal(expected, counted.ToDictionary(c => c.Key, c => Int64s.Of(c.Value)));
        Assert.Equal(counted.Length, results.Select(r => r.InputIndex).Distinct().Count());
    }

    [Fact]
    public async Task Reduce_in_the_middle_of_a_route_feeds_the_next_step_and_eval_waits_for_it()
    {
        await using var cluster = await PalmTestCluster.StartAsync();
        await cluster.StartServerAsync<SumServer>("sum");     // standalone: maps and folds by itself
        await cluster.StartServerAsync<ShowServer>("show");
        var client = await cluster.ConnectClientAsync();

        var results = await client.RunAll(["sum.add", "show.show"], OneTo(1000), Wait);
        Assert.Equal("total 500500", Text.Of(Assert.Single(results).Payload));

        // Two reduces on one route: the second folds what the first emits, flushed in route order.
        results = await client.RunAll(["sum.add", "sum.add", "show.show"], OneTo(10), Wait);
        Assert.Equal("total 55", Text.Of(Assert.Single(results).Payload));

        // A one-input job: eval returns the reduce's result, not the (empty) completion of the input.
        Assert.Equal("total 7", Text.Of(await client.EvalAsync(["sum.add", "show.show"], Int64s.Bytes(7))));
    }

    [Fact]
    public async Task Reduce_server_emits_per_window_of_messages_from_the_class_and_from_per_server_settings()
    {
        var config = ConfigurationFactory.ParseString("palm.reduce.servers.quarters.window-messages = 25");
        await using var cluster = await PalmTestCluster.StartAsync(config);
        await cluster.StartServerAsync<TenSumServer>("tens", ServerRole.Leader);
        await cluster.StartServerAsync<TenSumServer>("tens", ServerRole.Worker);
        await cluster.StartServerAsync<SumServer>("quarters");
        var client = await cluster.ConnectClientAsync();

        // 105 messages in windows of 10: ten full windows and the rest at the end of the job.
        var tens = await client.RunAll(["tens.add"], OneTo(105), Wait);
        Assert.Equal(11, tens.Count);
        Assert.Equal(105L * 106 / 2, tens.Sum(r => Int64s.Of(r.Payload)));
        Assert.Equal(11, tens.Select(r => r.InputIndex).Distinct().Count());

        var quarters = await client.RunAll(["quarters.add"], OneTo(100), Wait);
        Assert.Equal(4, quarters.Count);
        Assert.Equal(5050L, quarters.Sum(r => Int64s.Of(r.Payload)));
    }

    [Fact]
    public async Task Reduce_server_emits_a_time_window_while_an_endless_source_is_still_open()
    {
        var config = ConfigurationFactory.ParseString("palm.reduce.window-time = 200ms");
        await using var cluster = await PalmTestCluster.StartAsync(config);
        await cluster.StartServerAsync<SumServer>("sum");
        var client = await cluster.ConnectClientAsync();

        // The source stays open until the first window's result arrives: only a time window can produce it.
        var firstWindow = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var job = client.RunAll(["sum.add"], Jobs.Gated(10, 10, firstWindow.Task, i => Int64s.Bytes(i + 1)), Wait,
            onResult: n => { if (n == 1) firstWindow.TrySetResult(); });
        var results = await job;

        // The first window came while the source was open (a prefix of the first ten inputs); the rest came later.
        Assert.InRange(Int64s.Of(results[0].Payload), 1L, 55L);
        Assert.True(results.Count >= 2, $"{results.Count} results");
        Assert.Equal(210L, results.Sum(r => Int64s.Of(r.Payload)));
        Assert.All(results, r => Assert.False(r.IsError, r.ToString()));
    }

    [Fact]
    public async Task Reduce_errors_are_results_naming_the_function_and_the_job_still_completes()
    {
        var (cluster, client) = await StartWithWorkers<SumServer>("sum", 1);
        await using var _ = cluster;
        await cluster.StartServerAsync<WordCountServer>("wc");

        // The map throws for 13, the reduce for -666: each an error result, the sum of the rest still exact.
        var results = await client.RunAll(["sum.picky"], OneTo(1000).Append(Int64s.Bytes(-666)), Wait);
        var errors = results.Where(r => r.IsError).ToArray();
        Assert.Equal(2, errors.Length);
        Assert.Contains(errors, e => e.InputIndex == 12 && e.Error!.Function == "picky" && e.Error.Server == "sum" && e.Error.Message.Contains("unlucky"));
        Assert.Contains(errors, e => e.InputIndex == 1000 && e.Error!.Function == "Reduce" && e.Error.Server == "sum" && e.Error.Message.Contains("-666"));
        Assert.Equal(500500L - 13, Int64s.Of(Assert.Single(results, r => !r.IsError).Payload));

        // A map that emits nothing for some messages folds the others.
        Assert.Equal(2550L, Int64s.Of(Assert.Single(await client.RunAll(["sum.evens"], OneTo(100), Wait)).Payload));

        // A key function that returns null: that word is an error result naming Key; the other words are counted.
        var words = await client.RunAll(["wc.words"], new[] { "a NOKEY b", "a" }.Select(Text.Bytes), Wait);
        var keyError = Assert.Single(words, r => r.IsError);
        Assert.Equal(("wc", "Key"), (keyError.Error!.Server, keyError.Error.Function));
        Assert.Equal(0, keyError.InputIndex);
        var counts = words.Where(r => !r.IsError).Select(r => ReduceServer.ParseKeyedResult(r.Payload)).ToDictionary(c => c.Key, c => Int64s.Of(c.Value));
        Assert.Equal(new Dictionary<string, long> { ["a"] = 2, ["b"] = 1 }, counts);
    }

    [Fact]
    public async Task Reduce_value_is_unchanged_when_a_worker_leaves_mid_job()
    {
        var cluster = await PalmTestCluster.StartAsync();
        await using var _ = cluster;
        await cluster.StartServerAsync<SumServer>("sum", ServerRole.Leader);
        var staying = await cluster.StartServerAsync<SumServer>("sum", ServerRole.Worker);
        var leaving = await cluster.StartServerAsync<SumServer>("sum", ServerRole.Worker);
        var client = await cluster.ConnectClientAsync();
        await AwaitAssertAsync(async () => Assert.Equal(2, (await client.GetStatusAsync()).Servers.Single(s => s.Role == "leader").Workers), Wait);

        var halfway = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var job = client.RunAll(["sum.add"], Jobs.Gated(20_000, 20_000, halfway.Task, i => Int64s.Bytes(i + 1)), Wait);
        await AwaitAssertAsync(async () => Assert.True((await client.GetStatusAsync()).Servers.Single(s => s.Role == "leader").MessagesIn >= 10_000), Wait);
        await cluster.StopNodeAsync(leaving);
        halfway.SetResult();

        var result = Assert.Single(await job);
        Assert.Equal(40_000L * 40_001 / 2, Int64s.Of(result.Payload));
        Assert.NotNull(staying);
    }

    [Fact]
    public async Task Reduce_job_fails_naming_the_server_when_its_leader_dies()
    {
        var cluster = await PalmTestCluster.StartAsync(PalmTestCluster.FastFailureDetection);
        await using var _ = cluster;
        var leader = await cluster.StartServerAsync<SumServer>("sum", ServerRole.Leader);
        await cluster.StartServerAsync<SumServer>("sum", ServerRole.Worker);
        var client = await cluster.ConnectClientAsync();

        // The source waits (the job cannot end) until the leader is gone.
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var job = client.RunAll(["sum.add"], Jobs.Gated(100, 100, gate.Task, i => Int64s.Bytes(i + 1)), Wait);
        await AwaitAssertAsync(async () => Assert.True((await client.GetStatusAsync()).Servers.Single(s => s.Role == "leader").MessagesIn >= 100), Wait);
        await cluster.StopNodeAsync(leader);
        gate.SetResult();

        var failure = await Assert.ThrowsAsync<PalmJobFailedException>(() => job);
        Assert.Contains("'sum'", failure.Message);
    }

    [Fact]
    public async Task Reduce_leader_drops_the_folds_of_a_client_that_went_away_and_serves_on()
    {
        var cluster = await PalmTestCluster.StartAsync();
        await using var _ = cluster;
        var leader = await cluster.StartServerAsync<SumServer>("sum", ServerRole.Leader);
        await cluster.StartServerAsync<SumServer>("sum", ServerRole.Worker);
        var client = await cluster.ConnectClientAsync();
        await AwaitAssertAsync(async () => Assert.Equal(1, (await client.GetStatusAsync()).Servers.Single(s => s.Role == "leader").Workers), Wait);
        var warnings = CreateTestProbe();
        leader.System.EventStream.Subscribe(warnings.Ref, typeof(Akka.Event.Warning));

        // A client folds 100 inputs into a job it never finishes, then goes away.
        var leaving = await cluster.ConnectClientAsync();
        var never = new TaskCompletionSource();
        var abandoned = leaving.RunAll(["sum.add"], Jobs.Gated(100, 100, never.Task, i => Int64s.Bytes(i + 1)), Wait);
        await AwaitAssertAsync(async () => Assert.True((await client.GetStatusAsync()).Servers.Single(s => s.Role == "leader").MessagesIn >= 100), Wait);
        await leaving.DisposeAsync();
        var observed = abandoned.ContinueWith(t => t.Exception, TaskScheduler.Default);

        warnings.FishForMessage(m => m is Akka.Event.Warning w && w.Message.ToString()!.Contains("dropped the unfinished folds of 1 job(s)"), Wait);
        var sum = Assert.Single(await client.RunAll(["sum.add"], Enumerable.Range(1, 100).Select(i => Int64s.Bytes(i)), Wait));
        Assert.Equal(5050L, Int64s.Of(sum.Payload));
    }
}
