using Palm.Messages;

namespace Palm.Templates.Parallel;

/// <summary>A message handed by a butterfly leader to one worker; <see cref="Id"/> is unique per leader.</summary>
internal sealed record WorkItem(long Id, PipelineMessage Message);

/// <summary>Work for one worker, sent in one remote envelope.</summary>
internal sealed record WorkBatch(IReadOnlyList<WorkItem> Items);

/// <summary>What a worker's call produced for one work item: outputs, or an error.</summary>
internal sealed record WorkResult(long Id, IReadOnlyList<ReadOnlyMemory<byte>> Outputs, PalmError? Error);

/// <summary>
/// Results of a worker, sent back to its leader in one envelope. <see cref="Starved"/>: since its previous
/// envelope the worker's call slots were free more than half of the time (one call at a time: it spent more
/// time waiting for work than working), so its window is too small for the round trip or for the calls it
/// may run at once (if the leader has work waiting).
/// </summary>
internal sealed record WorkResults(IReadOnlyList<WorkResult> Results, bool Starved = false);

/// <summary>
/// A worker tells its leader it is shutting down (its actor system runs coordinated shutdown): give it no
/// new work, and say <see cref="WorkerDrained"/> once it holds nothing. Sent with the worker as sender.
/// </summary>
internal sealed record WorkerDraining : IPalmControlMessage
{
    public static readonly WorkerDraining Instance = new();
}

/// <summary>
/// The leader's reply to <see cref="WorkerDraining"/>: every message the worker was given is answered (by
/// the leader's own bookkeeping, so the reply cannot overtake an answer), and it gets nothing more.
/// </summary>
internal sealed record WorkerDrained : IPalmControlMessage
{
    public static readonly WorkerDrained Instance = new();
}
