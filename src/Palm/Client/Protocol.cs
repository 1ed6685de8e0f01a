using Palm.Client.Internal;

namespace Palm.Client;

/// <summary>Tells the client actor to route results of a new job to its state (sent before any input leaves).</summary>
internal sealed record RegisterJob(JobState Job);

/// <summary>Tells the client actor that the job's reader is gone; later results are dropped.</summary>
internal sealed record UnregisterJob(Guid JobId);
