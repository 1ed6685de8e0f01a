using Palm.Client.Internal;
using Palm.Discovery;

namespace Palm.Client;

/// <summary>Tells the client actor to route results of a new job to its state (sent before any input leaves).</summary>
internal sealed record RegisterJob(JobState Job);

/// <summary>Tells the client actor that the job's reader is gone; later results are dropped.</summary>
internal sealed record UnregisterJob(Guid JobId);

/// <summary>The client actor's timer: time to look at the progress of every job.</summary>
internal sealed record ProgressTick
{
    public static readonly ProgressTick Instance = new();
}

/// <summary>
/// The outcome of asking the route's servers of a stalled job for their status: <paramref name="Silent"/>
/// names the first that did not answer (null: all answered). <paramref name="Check"/> tells it from an
/// older check that progress made moot.
/// </summary>
internal sealed record RouteChecked(Guid JobId, int Check, ServerEntry? Silent);

/// <summary>The job's source is exhausted after <paramref name="Total"/> inputs (from its reader, for the end of a job with reduces).</summary>
internal sealed record SourceExhausted(Guid JobId, long Total);

/// <summary>The job's reader has taken a quarter window of completed messages of a stage's own: time to let generators run on.</summary>
internal sealed record OwnMessagesConsumed(Guid JobId);
