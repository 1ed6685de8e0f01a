using Palm.Messages;

namespace Palm.Servers;

/// <summary>
/// What a function or a stream hook may know about the message it handles. Valid during the call only.
/// </summary>
public sealed class MessageContext
{
    internal MessageContext(string server, string instance, PipelineMessage message)
    {
        Server = server;
        Instance = instance;
        Message = message;
    }

    internal PipelineMessage Message { get; }

    /// <summary>The name of the server handling the message.</summary>
    public string Server { get; }

    /// <summary>
    /// The identity of the server instance handling the message, the one <c>PalmClient.GetStatusAsync</c> lists it under:
    /// <c>name@host:port</c> for a server that runs alone, <c>name/leader@host:port</c> for a leader (its stream hook),
    /// <c>name/worker-N@host:port</c> for the N-th worker of <c>name</c> started on the node at <c>host:port</c>. Unique in
    /// the cluster, and the same for every message the instance handles, e.g. to tell which worker produced a result.
    /// </summary>
    public string Instance { get; }

    /// <summary>The job the message belongs to.</summary>
    public Guid JobId => Message.Job.JobId;

    /// <summary>Index of the job input this message derives from (0 for the first input).</summary>
    public long InputIndex => Message.InputId;

    /// <summary>The session tag the client gave the job, if any.</summary>
    public string? Session => Message.Job.Session;

    /// <summary>The cache key the client gave the job, if any.</summary>
    public string? CacheKey => Message.Job.CacheKey;

    /// <summary>Index of the current step in <see cref="Route"/>.</summary>
    public int Stage => Message.Stage;

    /// <summary>The current step.</summary>
    public Step Step => Message.Step;

    /// <summary>The whole route of the message, as currently planned (for a <c>JobRoute</c>: trunk, each branch, join, laid out flat).</summary>
    public IReadOnlyList<Step> Route => Message.Job.Route;

    /// <summary>
    /// For a job on a <c>JobRoute</c>: the branch the message went through at the fork (still so on the join's steps); null
    /// before the fork, on a plain route, and for a message a stage made of its own after the fork (a sink's summary).
    /// </summary>
    public string? Branch => Message.Job.BranchName;

    /// <summary>The names of the branches of the job's route (empty for a plain route).</summary>
    public IReadOnlyList<string> Branches => Message.Job.Shape?.Branches.Select(b => b.Name).ToArray() ?? [];

    /// <summary>In <c>OnOutput</c>: the index of the output within its call (0 for the first); -1 in a function.</summary>
    public int OutputIndex { get; internal init; } = -1;

    /// <summary>In <c>OnOutput</c>: how many outputs the call produced (so <c>OutputIndex == OutputCount - 1</c> is the last); 0 in a function.</summary>
    public int OutputCount { get; internal init; }
}
