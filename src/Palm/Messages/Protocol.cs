using Akka.Actor;

namespace Palm.Messages;

/// <summary>
/// What every message of one job shares: its id, the client to answer, the route and the tags. One
/// instance is shared by all the messages of a job on a node, and written once per remote batch.
/// </summary>
internal sealed class JobHeader(Guid jobId, IActorRef client, Step[] route, string? session, string? cacheKey, RouteShape? shape = null, int branch = -1)
{
    // The headers of this job's messages in each branch (made at the fork, on first use), and the header they came from.
    private JobHeader[]? _inBranch;
    private JobHeader? _trunk;

    public Guid JobId { get; } = jobId;
    public IActorRef Client { get; } = client;
    public Step[] Route { get; } = route;
    public string? Session { get; } = session;
    public string? CacheKey { get; } = cacheKey;

    /// <summary>The branches and join of a route that forks; null for a plain route.</summary>
    public RouteShape? Shape { get; } = shape;

    /// <summary>The branch (index in <see cref="RouteShape.Branches"/>) the message went through at the fork, kept through the join; -1 before the fork or without one.</summary>
    public int Branch { get; } = branch;

    /// <summary>The client's serialized path, computed once per header rather than once per batch.</summary>
    public string? ClientPath { get; set; }

    /// <summary>The header of a diverted message: the route replaced from some stage on, so the shape no longer applies (the branch it came from still does).</summary>
    public JobHeader WithRoute(Step[] route) => new(JobId, Client, route, Session, CacheKey, null, Branch);

    /// <summary>The header of this job's messages in branch <paramref name="branch"/>: one per branch, shared by all its messages on this node.</summary>
    public JobHeader InBranch(int branch)
    {
        _inBranch ??= new JobHeader[Shape!.Branches.Count];
        return _inBranch[branch] ??= new JobHeader(JobId, Client, Route, Session, CacheKey, Shape, branch) { ClientPath = ClientPath, _trunk = Trunk };
    }

    /// <summary>The header without a branch: what a stage's own messages (a sink's summary, a reduce's fold) leave with.</summary>
    public JobHeader Trunk => Branch < 0 ? this : _trunk ??= new JobHeader(JobId, Client, Route, Session, CacheKey, Shape) { ClientPath = ClientPath };

    /// <summary>The branch's name, or null.</summary>
    public string? BranchName => Branch >= 0 && Shape is { } shape && Branch < shape.Branches.Count ? shape.Branches[Branch].Name : null;
}

/// <summary>
/// One pipeline message. <see cref="Weight"/> is its share of its input's completion credit: every
/// input starts with <see cref="Weights.Whole"/>, outputs split their parent's weight, and the weight
/// of every finished branch returns to the client. The input is complete when all of it has returned.
/// </summary>
internal sealed record PipelineMessage(JobHeader Job, int Stage, long InputId, UInt128 Weight, ReadOnlyMemory<byte> Payload)
{
    public Step Step => Job.Route[Stage];
}

/// <summary>A batch of pipeline messages for one server: the unit of every remote hop.</summary>
internal sealed record Deliver(IReadOnlyList<PipelineMessage> Messages);

internal enum ResultKind : byte
{
    /// <summary>A payload produced by the last step.</summary>
    Payload = 1,
    /// <summary>An error result.</summary>
    Error = 2,
    /// <summary>No payload: a branch ended (a function returned nothing, or a hook dropped it); only its weight returns.</summary>
    Done = 3,
    /// <summary>
    /// A reduce folded the branch: its weight returns (the input is done with that step), and the client learns that the
    /// reduce at the stage in the payload (4 bytes, little-endian) holds a fold of the job to flush at its end.
    /// </summary>
    Absorbed = 4,
    /// <summary>
    /// A reduce at stage <see cref="ResultItem.InputId"/> has emitted messages of its own for the job: the payload is how many
    /// in all (8 bytes, little-endian) and whether that is final (1 byte, 1: the stage is flushed). Carries no weight.
    /// </summary>
    Emitted = 5,
}

/// <summary>What returns to the client for one branch of one input.</summary>
internal readonly record struct ResultItem(long InputId, UInt128 Weight, ResultKind Kind, ReadOnlyMemory<byte> Payload, PalmError? Error)
{
    /// <summary>For a payload or an error of a job whose route forks: the branch its message went through (index), or -1.</summary>
    public int Branch { get; init; } = -1;
}

/// <summary>A batch of results for one job.</summary>
internal sealed record ResultBatch(Guid JobId, IReadOnlyList<ResultItem> Items);
