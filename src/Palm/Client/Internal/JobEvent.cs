namespace Palm.Client.Internal;

/// <summary>
/// What the job's reader receives, in order: results, per-input completions (an event may carry both:
/// the input's last result, then its completion), the end of the source, or a failure.
/// </summary>
internal readonly record struct JobEvent(JobResult? Result, long CompletedInput, long SourceTotal, Exception? Failure, bool End = false)
{
    /// <summary>A message that the stage at this index made of its own (a generator's, say) is complete; -1: none.</summary>
    public int OwnStage { get; init; } = -1;

    /// <summary>A job with reduces on its route is over: every stage flushed and everything it emitted complete.</summary>
    public static readonly JobEvent Finished = new(null, -1, -1, null, true);

    public static JobEvent Of(JobResult result) => new(result, -1, -1, null);
    public static JobEvent SourceDone(long total) => new(null, -1, total, null);
    public static JobEvent Failed(Exception e) => new(null, -1, -1, e);
}
