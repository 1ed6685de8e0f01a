using Palm.Demo.MonteCarlo;
using Palm.Servers;
using Palm.TestKit;
using Palm.Tests.Support;
using Palm.Tests.Templates.Parallel;
using Xunit;

namespace Palm.Tests.Demo.MonteCarlo;

/// <summary>The Monte Carlo job across real remoting (every node its own actor system), against the single-threaded run.</summary>
[Trait(TestCategories.Category, TestCategories.Cluster)]
public sealed class MonteCarloClusterTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Monte_carlo_on_a_cluster_equals_the_single_threaded_run_bit_for_bit()
    {
        await using var cluster = await PalmTestCluster.StartAsync();
        await cluster.StartServerAsync<PathsServer>("paths", ServerRole.Leader);
        await cluster.StartServerAsync<PathsServer>("paths", ServerRole.Worker);
        await cluster.StartServerAsync<PathsServer>("paths", ServerRole.Worker);
        await cluster.StartServerAsync<StatsServer>("stats");
        var client = await cluster.ConnectClientAsync();
        await AwaitAssertAsync(async () => Assert.Equal(2, (await client.GetStatusAsync()).Servers.Single(s => s.Role == "leader").Workers), Wait);
        // 12 blocks of up to 2,000 paths, 7 chunks each (the last ones short): 81 parts over two workers, finishing in
        // whatever order they do. Exact equality holds because nothing depends on that order: a block's chunks are
        // gathered in scatter order, and the reduce combines the blocks sorted by index, as the reference does.
        var plan = new MonteCarloPlan(23_457, 2_000, 300, 2024, PathModel.Default with { Steps = 40 });

        var outcome = await MonteCarloJob.RunAsync(client, plan).WaitAsync(Wait);
        var reference = plan.RunSingleThreaded();

        Assert.Empty(outcome.Errors);
        Assert.True(outcome.IsComplete(plan), outcome.ToString());
        var summary = outcome.Summary!.Value;
        Assert.Equal(12, summary.Blocks);
        Assert.True(summary.Moments.BitwiseEquals(reference), $"cluster {summary.Moments}, single thread {reference}");
        var workers = (await client.GetStatusAsync()).Servers.Where(s => s.Role == "worker").ToArray();
        Assert.All(workers, w => Assert.True(w.MessagesIn > 0, $"worker {w.Node} simulated no chunk"));

        // A malformed block is an error result naming the scatter, and the reduce still summarizes the good block.
        var results = await client.RunAll(MonteCarloJob.Route, [plan.Blocks().First().ToBytes(), [1, 2, 3]], Wait);
        var error = Assert.Single(results, r => r.IsError).Error!;
        Assert.Equal(("paths", "Scatter"), (error.Server, error.Function));
        var one = RunSummary.Read(Assert.Single(results, r => !r.IsError).Payload.Span);
        Assert.Equal((1L, 2_000L), (one.Blocks, one.Moments.Count));
    }

    [Fact]
    public async Task Montecarlo_command_runs_an_embedded_cluster_and_prints_figures_identical_to_one_thread()
    {
        var output = new StringWriter();
        var options = MonteCarloOptions.Parse(["--paths", "6000", "--steps", "20", "--workers", "1", "--block", "1000", "--chunk", "250"]);

        var identical = await MonteCarloCommand.RunAsync(options, output).WaitAsync(Wait);

        var text = output.ToString();
        Assert.True(identical, text);
        Assert.Contains("identical  : yes, bit for bit", text);
        Assert.Contains("6,000 paths in 6 blocks", text);
        var mean = text.Split('\n').Single(l => l.StartsWith("mean of r(S)")).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(mean[3], mean[4]);                 // cluster and single thread, printed with round-trip digits
        Assert.Equal("0.03", mean[5]);                   // the exact mean
    }
}
