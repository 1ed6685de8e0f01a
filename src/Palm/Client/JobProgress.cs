namespace Palm.Client;

/// <summary>
/// Where a job stands, as reported to <see cref="JobOptions.Progress"/>: at most once per
/// <see cref="JobOptions.ProgressInterval"/> while results come, and once more when the job ends (<see cref="IsFinal"/>).
/// Counts never go down from one report to the next.
/// </summary>
/// <param name="InputsIssued">Inputs sent to the cluster so far (or answered at once with an error, such as a null payload).</param>
/// <param name="InputsCompleted">Inputs complete: every result derived from them came back.</param>
/// <param name="Results">Results the job yielded so far, payloads and errors.</param>
/// <param name="Errors">Of <paramref name="Results"/>, the errors.</param>
/// <param name="Total">The number of inputs, once known: from the start when the payloads are a collection or an array
/// (or one payload, for <see cref="PalmClient.EvalAsync"/>), otherwise once the source is exhausted; null before.</param>
/// <param name="Elapsed">Time since the job started.</param>
/// <param name="IsFinal">The last report: every input is complete, or the job failed (the enumeration throws next).</param>
public sealed record JobProgress(long InputsIssued, long InputsCompleted, long Results, long Errors, long? Total, TimeSpan Elapsed, bool IsFinal)
{
    /// <summary>Inputs completed per second since the job started (0 before any time has passed).</summary>
    public double InputsPerSecond => Elapsed > TimeSpan.Zero ? InputsCompleted / Elapsed.TotalSeconds : 0;

    /// <summary>The share of the inputs complete, from 0 to 1, when <see cref="Total"/> is known; null before.</summary>
    public double? Fraction => Total is { } total ? (total == 0 ? 1 : Math.Min(1, InputsCompleted / (double)total)) : null;

    /// <summary>The time left at <see cref="InputsPerSecond"/>, when <see cref="Total"/> is known and some inputs are complete; null otherwise.</summary>
    public TimeSpan? Remaining => Total is { } total && InputsPerSecond > 0
        ? TimeSpan.FromSeconds(Math.Max(0, total - InputsCompleted) / InputsPerSecond)
        : null;
}
