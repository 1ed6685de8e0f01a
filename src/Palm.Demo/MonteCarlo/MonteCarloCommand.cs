using System.Diagnostics;
using System.Globalization;
using Palm.Client;
using Palm.Hosting;
using Palm.Servers;

namespace Palm.Demo.MonteCarlo;

/// <summary>What <c>Palm.Demo montecarlo</c> runs: the plan and how many workers simulate it.</summary>
/// <param name="Plan">The paths, blocks, chunks, seed and model.</param>
/// <param name="Workers">How many workers the scatter-gather server gets, each on a node of its own.</param>
public sealed record MonteCarloOptions(MonteCarloPlan Plan, int Workers)
{
    /// <summary>The flags and their defaults, for the usage text.</summary>
    public const string Flags = "[--paths 1000000] [--steps 100] [--workers 2] [--seed 42] [--block 10000] [--chunk 1000]";

    /// <summary>Reads the flags of <see cref="Flags"/>; any other argument is refused.</summary>
    /// <exception cref="ArgumentException">An unknown flag, a flag without a number, or a number out of range.</exception>
    public static MonteCarloOptions Parse(IReadOnlyList<string> args)
    {
        long paths = 1_000_000, seed = 42;
        long steps = PathModel.Default.Steps, workers = 2, block = 10_000, chunk = 1_000;
        for (var i = 0; i < args.Count; i += 2)
        {
            if (i + 1 >= args.Count || !long.TryParse(args[i + 1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
                throw new ArgumentException($"{args[i]} needs a whole number.");
            switch (args[i])
            {
                case "--paths": paths = value; break;
                case "--steps": steps = value; break;
                case "--workers": workers = value; break;
                case "--seed": seed = value; break;
                case "--block": block = value; break;
                case "--chunk": chunk = value; break;
                default: throw new ArgumentException($"montecarlo takes {Flags}, not '{args[i]}'.");
            }
        }
        if (workers is < 0 or > 64) throw new ArgumentException($"--workers takes 0 to 64, not {workers}.");
        if (steps is < 1 or > int.MaxValue || block is < 1 or > int.MaxValue || chunk is < 1 or > int.MaxValue)
            throw new ArgumentException("--steps, --block and --chunk take 1 to 2147483647.");
        var plan = new MonteCarloPlan(paths, (int)block, (int)chunk, unchecked((ulong)seed), PathModel.Default with { Steps = (int)steps });
        return new MonteCarloOptions(plan.Validated(), (int)workers);
    }
}

/// <summary>
/// <c>Palm.Demo montecarlo</c>: the Monte Carlo job on an embedded cluster (one actor system per node on loopback, real
/// remoting between them), then the same plan on one thread, with both figures side by side.
/// </summary>
public static class MonteCarloCommand
{
    /// <summary>Runs the demo; returns whether the cluster's figures have the same bits as the single-threaded ones.</summary>
    public static async Task<bool> RunAsync(MonteCarloOptions options, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(options);
        var plan = options.Plan;
        var model = plan.Model;
        output.WriteLine($"model      : r(i+1) = r(i) + sigma * sqrt(T/S) * eps(i), r(0) = {F(model.R0)}, sigma = {F(model.Sigma)}, T = {F(model.Horizon)}, S = {model.Steps} steps");
        output.WriteLine($"plan       : {plan.Paths:N0} paths in {plan.BlockCount:N0} blocks (inputs) of up to {plan.BlockPaths:N0}, chunks (parts) of up to {plan.ChunkPaths:N0}, seed {plan.Seed}");

        var (outcome, clusterTime) = await RunOnEmbeddedClusterAsync(options, output);

        var watch = Stopwatch.StartNew();
        var reference = plan.RunSingleThreaded();
        var serialTime = watch.Elapsed;

        foreach (var error in outcome.Errors.Take(5)) output.WriteLine($"error      : {error}");
        if (!outcome.IsComplete(plan))
        {
            output.WriteLine($"incomplete : {outcome.Results} results, {outcome.Errors.Count} errors, " +
                             (outcome.Summary is { } s ? $"{s.Blocks} blocks and {s.Moments.Count} paths summarized" : "no summary"));
            return false;
        }
        var cluster = outcome.Summary!.Value.Moments;
        var columns = $"{options.Workers} worker{(options.Workers == 1 ? "" : "s")}";
        output.WriteLine($"{"",-19}{"cluster, " + columns,-26}{"single thread",-26}exact");
        output.WriteLine($"{"mean of r(S)",-19}{F(cluster.Mean),-26}{F(reference.Mean),-26}{F(model.ExactMean)}");
        output.WriteLine($"{"std deviation",-19}{F(cluster.StandardDeviation),-26}{F(reference.StandardDeviation),-26}{F(model.ExactStandardDeviation)}");
        output.WriteLine($"{"std error of mean",-19}{F(cluster.StandardError),-26}{F(reference.StandardError),-26}");
        output.WriteLine($"{"elapsed",-19}{$"{clusterTime.TotalSeconds:F2} s",-26}{$"{serialTime.TotalSeconds:F2} s",-26}");
        var identical = cluster.BitwiseEquals(reference);
        output.WriteLine(identical
            ? "identical  : yes, bit for bit (count, mean and M2): chunks and blocks are combined in index order on both sides"
            : $"identical  : NO: cluster {cluster}, single thread {reference}");
        output.WriteLine($"speed-up   : {serialTime / clusterTime:F2}x (the cluster's time includes its first calls' warm-up and the remoting)");
        return identical;
    }

    private static async Task<(MonteCarloOutcome Outcome, TimeSpan Elapsed)> RunOnEmbeddedClusterAsync(MonteCarloOptions options, TextWriter output)
    {
        var nodes = new List<PalmNode>();
        try
        {
            var seed = await PalmHost.StartNodeAsync(new NodeOptions());
            nodes.Add(seed);
            var joining = new NodeOptions { Seeds = [seed.Address] };
            var paths = await PalmHost.StartNodeAsync(joining);
            nodes.Add(paths);
            // Without workers the scatter-gather server simulates the chunks itself, serially.
            await paths.StartServerAsync<PathsServer>("paths", options.Workers > 0 ? ServerRole.Leader : ServerRole.Standalone);
            var stats = await PalmHost.StartNodeAsync(joining);
            nodes.Add(stats);
            await stats.StartServerAsync<StatsServer>("stats");
            var workers = new List<PalmNode>();
            for (var i = 0; i < options.Workers; i++)
            {
                var worker = await PalmHost.StartNodeAsync(joining);
                nodes.Add(worker);
                workers.Add(worker);
                await worker.StartServerAsync<PathsServer>("paths", ServerRole.Worker);
            }
            output.WriteLine($"cluster    : seed {seed.Address}, paths (scatter-gather) {paths.Address}, stats (reduce) {stats.Address}");
            if (workers.Count > 0) output.WriteLine($"workers    : paths x {workers.Count} at {string.Join(", ", workers.Select(w => w.Address))}");

            await using var client = await PalmClient.ConnectAsync(seed.Address);
            await client.WaitForServersAsync(MonteCarloJob.Servers, TimeSpan.FromSeconds(30));
            // The leader must see its workers before the job, or it would hold every part until they show up.
            await paths.WaitForServersAsync(["paths"], TimeSpan.FromSeconds(30), minWorkers: options.Workers);
            var watch = Stopwatch.StartNew();
            var outcome = await MonteCarloJob.RunAsync(client, options.Plan);
            return (outcome, watch.Elapsed);
        }
        finally
        {
            await Task.WhenAll(nodes.Select(PalmHost.StopNodeAsync));
        }
    }

    // Round-trip digits: equal bits print equal, and a difference in the last bit shows.
    private static string F(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
