using Palm.Messages;

namespace Palm.Servers;

/// <summary>
/// What a function or a stream hook may know about the message it handles. Valid during the call only.
/// </summary>
public sealed class MessageContext
{
    internal MessageContext(string server, PipelineMessage message)
    {
        Server = server;
        Message = message;
    }

    internal PipelineMessage Message { get; }

    /// <summary>The name of the server handling the message.</summary>
    public string Server { get; }

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

    /// <summary>The whole route of the message, as currently planned.</summary>
    public IReadOnlyList<Step> Route => Message.Job.Route;
}
