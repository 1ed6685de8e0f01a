using Palm.Messages;

namespace Palm.Servers.Butterfly;

/// <summary>A message handed by a butterfly leader to one worker; <see cref="Id"/> is unique per leader.</summary>
internal sealed record WorkItem(long Id, PipelineMessage Message);

/// <summary>Work for one worker, sent in one remote envelope.</summary>
internal sealed record WorkBatch(IReadOnlyList<WorkItem> Items);

/// <summary>What a worker's call produced for one work item: outputs, or an error.</summary>
internal sealed record WorkResult(long Id, IReadOnlyList<ReadOnlyMemory<byte>> Outputs, PalmError? Error);

/// <summary>Results of a worker, sent back to its leader in one envelope.</summary>
internal sealed record WorkResults(IReadOnlyList<WorkResult> Results);
