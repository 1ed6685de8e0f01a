using System.Text;
using Palm.Client;
using Palm.Messages;
using Palm.Servers;
using Palm.TestKit;
using Palm.Tests.Support;
using Palm.Tests.Templates.Parallel;
using Palm.Tests.Templates.Reduce;
using Xunit;

namespace Palm.Tests.Templates.Shapes;

/// <summary>One cluster for the shape tests: every server on a node of its own, the client in a system of its own.</summary>
public sealed class ShapeCluster : IAsyncLifetime
{
    public PalmTestCluster Cluster { get; private set; } = null!;
    public PalmClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Cluster = await PalmTestCluster.StartAsync();
        await Cluster.StartServerAsync<TeeServer>("tee");
        await Cluster.StartServerAsync<ParityServer>("parity");
        await Cluster.StartServerAsync<MathServer>("math");
        await Cluster.StartServerAsync<ReshapeServer>("reshape");
        await Cluster.StartServerAsync<NumbersServer>("numbers");
        await Cluster.StartServerAsync<TotalSink>("total");
        await Cluster.StartServerAsync<ParallelTotalSink>("ptotal", ServerRole.Leader);
        await Cluster.StartServerAsync<ParallelTotalSink>("ptotal", ServerRole.Worker);
        await Cluster.StartServerAsync<ParallelNumbersServer>("pnumbers", ServerRole.Leader);
        await Cluster.StartServerAsync<ParallelNumbersServer>("pnumbers", ServerRole.Worker);
        await Cluster.StartServerAsync<ParallelTeeServer>("ptee", ServerRole.Leader);
        await Cluster.StartServerAsync<ParallelTeeServer>("ptee", ServerRole.Worker);
        Client = await Cluster.ConnectClientAsync();
        await Client.WaitForServersAsync(["tee", "parity", "math", "reshape", "numbers", "total"], TimeSpan.FromSeconds(30));
        await Client.WaitForServersAsync(["ptotal", "pnumbers", "ptee"], TimeSpan.FromSeconds(30), minWorkers: 1);
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

/// <summary>Tee, split, sink, reshaping hook and generators across real remoting (see docs/shapes.md).</summary>
[Trait(TestCategories.Category, TestCategories.Cluster)]
public sealed class ShapeClusterTests(ShapeCluster fixture) : IClassFixture<ShapeCluster>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private PalmClient Client => fixture.Client;

    private static IEnumerable<byte[]> OneTo(long n)
    {
        for (long i = 1; i <= n; i++) yield return Int64s.Bytes(i);
    }

    private async Task<List<JobResult>> Run(JobRoute route, IEnumerable<byte[]> inputs, JobOptions? options = null)
    {
        using var timeout = new CancellationTokenSource(Wait);
        var results = new List<JobResult>();
        await foreach (var r in Client.RunJob(route, inputs, options, timeout.Token)) results.Add(r);
        return results;
    }

    [Fact]
    public async Task A_fork_tees_every_message_to_every_branch_and_tags_each_result_with_its_branch()
    {
        var results = await Run(JobRoute.Of("tee.pass").Branch("squares", "math.square").Branch("negatives", "math.neg"), OneTo(500));

        Assert.All(results, r => Assert.False(r.IsError, r.ToString()));
        Assert.Equal(1000, results.Count);
        var squares = results.Where(r => r.Branch == "squares").ToDictionary(r => r.InputIndex, r => Int64s.Of(r.Payload));
        var negatives = results.Where(r => r.Branch == "negatives").ToDictionary(r => r.InputIndex, r => Int64s.Of(r.Payload));
        Assert.Equal(Enumerable.Range(0, 500).ToDictionary(i => (long)i, i => (long)(i + 1) * (i + 1)), squares);
        Assert.Equal(Enumerable.Range(0, 500).ToDictionary(i => (long)i, i => -(long)(i + 1)), negatives);
    }

    [Fact]
    public async Task A_hook_splits_odd_and_even_messages_into_their_branches_and_drops_those_it_sends_nowhere()
    {
        var results = await Run(JobRoute.Of("parity.pass").Branch("odd", "math.square").Branch("even", "math.neg", "math.twice"), OneTo(100));

        Assert.All(results, r => Assert.False(r.IsError, r.ToString()));
        var odd = results.Where(r => r.Branch == "odd").Select(r => Int64s.Of(r.Payload)).Order().ToArray();
        var even = results.Where(r => r.Branch == "even").Select(r => Int64s.Of(r.Payload)).Order().ToArray();
        Assert.Equal(Enumerable.Range(1, 100).Where(i => i % 2 == 1).Select(i => (long)i * i).Order(), odd);
        // Even values not divisible by 10, negated, each twice.
        Assert.Equal(Enumerable.Range(1, 100).Where(i => i % 2 == 0 && i % 10 != 0).SelectMany(i => new[] { -(long)i, -(long)i }).Order(), even);
        Assert.Equal(results.Count, odd.Length + even.Length);
    }

    [Fact]
    public async Task A_sink_at_the_join_runs_on_every_message_of_both_branches_and_sums_them_once_both_are_complete()
    {
        foreach (var sink in new[] { "total", "ptotal" })
        {
            var results = await Run(JobRoute.Of("parity.pass").Branch("odd", "math.square").Branch("even", "math.neg").Join($"{sink}.add"), OneTo(100));

            Assert.All(results, r => Assert.False(r.IsError, r.ToString()));
            var summary = Assert.Single(results, r => r.InputIndex < 0);
            var oddSum = Enumerable.Range(1, 100).Where(i => i % 2 == 1).Sum(i => (long)i * i);
            var evenSum = -Enumerable.Range(1, 100).Where(i => i % 2 == 0 && i % 10 != 0).Sum(i => (long)i);
            Assert.Equal($"90 messages; even={evenSum}, odd={oddSum}", Text.Of(summary.Payload));
            Assert.Null(summary.Branch);
            // Every message passed the sink on its way out, still tagged with the branch it went through.
            Assert.Equal(90, results.Count(r => r.InputIndex >= 0));
            Assert.Equal(50, results.Count(r => r.Branch == "odd"));
            Assert.Equal(40, results.Count(r => r.Branch == "even"));
            // The summary is the job's last result: it waits for both branches.
            Assert.Same(summary, results[^1]);
        }
    }

    [Fact]
    public async Task A_parallel_source_generates_on_its_leader_and_a_parallel_fork_tees_what_its_workers_answer()
    {
        var route = JobRoute.Of("pnumbers.count", "ptee.pass").Branch("x", "math.square").Branch("y", "math.neg");
        var results = await Run(route, [Int64s.Bytes(2000)]);

        Assert.All(results, r => Assert.False(r.IsError, r.ToString()));
        Assert.Equal(Enumerable.Range(1, 2000).Sum(i => (long)i * i), results.Where(r => r.Branch == "x").Sum(r => Int64s.Of(r.Payload)));
        Assert.Equal(-Enumerable.Range(1, 2000).Sum(i => (long)i), results.Where(r => r.Branch == "y").Sum(r => Int64s.Of(r.Payload)));
        Assert.Equal(4000, results.Count);
        // The source's other functions run on its workers.
        Assert.Equal([5L], (await Client.RunAll(["pnumbers.plain"], [Int64s.Bytes(5)], Wait)).Select(r => Int64s.Of(r.Payload)));
        var status = await Client.GetStatusAsync();
        Assert.True(status.Servers.Single(s => s.Name == "pnumbers" && s.Role == "worker").MessagesIn >= 1);
        Assert.True(status.Servers.Single(s => s.Name == "ptee" && s.Role == "worker").MessagesIn >= 2000);
    }

    [Fact]
    public async Task A_sink_whose_upstream_branch_fails_still_summarizes_and_the_failure_names_its_branch()
    {
        var results = await Run(JobRoute.Of("tee.pass").Branch("fussy", "math.picky").Branch("plain", "math.echo").Join("total.add"), OneTo(10));

        var error = Assert.Single(results, r => r.IsError);
        Assert.Equal(("fussy", "math", "picky"), (error.Branch, error.Error!.Server, error.Error.Function));
        var summary = Assert.Single(results, r => r.InputIndex < 0);
        Assert.Equal($"19 messages; fussy={55 - 7}, plain=55", Text.Of(summary.Payload));
    }

    [Fact]
    public async Task A_branch_whose_function_throws_reports_by_name_while_the_other_branch_delivers_everything()
    {
        var results = await Run(JobRoute.Of("tee.pass").Branch("fussy", "math.picky").Branch("plain", "math.neg"), OneTo(10));

        var error = Assert.Single(results, r => r.IsError);
        Assert.Equal("fussy", error.Branch);
        Assert.Equal(("math", "picky", 6L), (error.Error!.Server, error.Error.Function, error.InputIndex));
        Assert.Contains("7 is not welcome", error.Error.Message);
        Assert.Equal(10, results.Count(r => r.Branch == "plain" && !r.IsError));
        Assert.Equal(9, results.Count(r => r.Branch == "fussy" && !r.IsError));
    }

    [Fact]
    public async Task The_hook_replaces_the_last_output_and_doubles_the_first_knowing_each_ones_index()
    {
        var results = await Client.RunAll(["reshape.three", "math.echo"], [Text.Bytes("x")], Wait);

        Assert.Equal(["a", "b", "copy of a", "last of 3"], results.Select(r => Text.Of(r.Payload)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_generator_yields_a_hundred_thousand_messages_from_one_seed_never_more_than_a_window_ahead_of_the_reader()
    {
        const int window = 200;
        var before = NumbersServer.Yielded;
        long sum = 0, count = 0, ahead = 0;
        using var timeout = new CancellationTokenSource(Wait);
        await foreach (var r in Client.RunJob(["numbers.count", "math.square"], [Int64s.Bytes(100_000)], new JobOptions { Window = window }, timeout.Token))
        {
            Assert.False(r.IsError, r.ToString());
            Assert.True(r.InputIndex < 0, "a generated message is the source's own");
            sum += Int64s.Of(r.Payload);
            count++;
            // The generator runs on this process: it is never more than a window (and the quarter window of a credit) past what was read.
            ahead = Math.Max(ahead, NumbersServer.Yielded - before - count);
        }
        Assert.Equal(100_000, count);
        Assert.Equal(Enumerable.Range(1, 100_000).Sum(i => (long)i * i), sum);
        Assert.InRange(ahead, 0, window + window / 4);
    }

    [Fact]
    public async Task A_reader_that_stops_early_closes_an_endless_generator()
    {
        var closed = NumbersServer.Closed;
        var read = 0;
        await foreach (var r in Client.RunJob(["numbers.count"], [Int64s.Bytes(long.MaxValue)], new JobOptions { Window = 100 }))
        {
            Assert.False(r.IsError, r.ToString());
            if (++read == 10) break;
        }

        await Eventually.AssertAsync(() => Assert.Equal(closed + 1, NumbersServer.Closed), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task An_asynchronous_generator_at_a_fork_feeds_both_branches_and_a_sink_sums_them()
    {
        var route = JobRoute.Of("numbers.countAsync").Branch("odd", "math.echo").Branch("even", "math.echo").Join("total.add");
        // Two seeds: two generators for one job.
        var results = await Run(route, [Int64s.Bytes(1000), Int64s.Bytes(500)]);

        Assert.All(results, r => Assert.False(r.IsError, r.ToString()));
        var summary = Assert.Single(results, r => r.Payload.Length > 8);
        var total = Enumerable.Range(1, 1000).Sum(i => (long)i) + Enumerable.Range(1, 500).Sum(i => (long)i);
        Assert.Equal($"3000 messages; even={total}, odd={total}", Text.Of(summary.Payload));
        Assert.Equal(3001, results.Count);
    }

    [Fact]
    public async Task A_generator_that_throws_ends_with_an_error_naming_it_after_what_it_yielded()
    {
        var results = await Client.RunAll(["numbers.failing", "math.neg"], [Int64s.Bytes(0)], Wait);

        Assert.Equal([-1L, -2L, -3L], results.Where(r => !r.IsError).Select(r => Int64s.Of(r.Payload)).Order().Reverse());
        var error = Assert.Single(results, r => r.IsError).Error!;
        Assert.Equal(("numbers", "failing", PalmErrorKind.FunctionFailed), (error.Server, error.Function, error.Kind));
        Assert.Contains("the file ended early", error.Message);
    }

    [Fact]
    public async Task A_route_with_a_branch_naming_an_unknown_server_is_refused_at_once_with_the_servers_there_are()
    {
        var e = Assert.Throws<PalmRouteException>(() => Client.RunJob(JobRoute.Of("tee.pass").Branch("a", "math.neg").Branch("b", "nosuch.f"), OneTo(1)));
        Assert.Contains("branch 'b'", e.Message);
        Assert.Contains("math", e.Message);
        Assert.Contains("tee", e.Message);
        Assert.Throws<PalmRouteException>(() => Client.RunJob(JobRoute.Of("tee.pass").Branch("a", "math.neg").Branch("a", "math.neg"), OneTo(1)));
        Assert.Throws<PalmRouteException>(() => Client.RunJob(JobRoute.Of("tee.pass"), OneTo(1)));
    }

    [Fact]
    public async Task A_hook_choosing_a_branch_the_route_lacks_gets_an_error_listing_the_branches()
    {
        var results = await Run(JobRoute.Of("parity.lost").Branch("odd", "math.neg").Branch("even", "math.neg"), OneTo(2));

        Assert.Equal(2, results.Count);
        Assert.All(results, r => Assert.Contains("'nowhere', which the job's route does not have; it has: odd, even", r.Error?.Message));
    }
}
