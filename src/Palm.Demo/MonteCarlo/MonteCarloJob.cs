using Palm.Client;

namespace Palm.Demo.MonteCarlo;

/// <summary>What a Monte Carlo job returned: the reduce's summary (null if none came) and any error results.</summary>
/// <param name="Summary">The one result of the reduce, or null.</param>
/// <param name="Results">How many results the job returned (one when all went well).</param>
/// <param name="Errors">The error results, as text.</param>
public sealed record MonteCarloOutcome(RunSummary? Summary, int Results, IReadOnlyList<string> Errors)
{
    /// <summary>Whether the job gave exactly one summary, of every block of <paramref name="plan"/> and every path, and no error.</summary>
    public bool IsComplete(MonteCarloPlan plan) =>
        Errors.Count == 0 && Results == 1 && Summary is { } s && s.Blocks == plan.BlockCount && s.Moments.Count == plan.Paths;
}

/// <summary>The Monte Carlo job on a cluster: blocks into <c>paths.simulate</c> (scatter-gather), block summaries into <c>stats.collect</c> (reduce).</summary>
public static class MonteCarloJob
{
    /// <summary>The route: simulate on the scatter-gather server's workers, summarize on the reduce.</summary>
    public static readonly string[] Route = ["paths.simulate", "stats.collect"];

    /// <summary>The servers the route needs.</summary>
    public static readonly string[] Servers = ["paths", "stats"];

    /// <summary>Runs <paramref name="plan"/> through <paramref name="client"/>'s cluster, one input per block.</summary>
    public static async Task<MonteCarloOutcome> RunAsync(PalmClient client, MonteCarloPlan plan, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        plan.Validated();
        RunSummary? summary = null;
        var results = 0;
        var errors = new List<string>();
        await foreach (var r in client.RunJob(Route, plan.Blocks().Select(b => b.ToBytes()), cancellationToken: cancellationToken))
        {
            results++;
            if (r.IsError) errors.Add(r.InputIndex >= 0 ? $"block {r.InputIndex}: {r.Error}" : $"the reduce: {r.Error}");
            else summary = RunSummary.Read(r.Payload.Span);
        }
        return new MonteCarloOutcome(summary, results, errors);
    }
}
