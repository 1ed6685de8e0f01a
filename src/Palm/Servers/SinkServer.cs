namespace Palm.Servers;

/// <summary>
/// The server that joins branches: put at the join of a <c>JobRoute</c> (or anywhere on a route), its functions run on every
/// message of every branch and their outputs go on as on any server (pylm's <c>Sink</c>), and it knows when everything
/// upstream of its step is complete for a job: then <see cref="OnUpstreamsComplete"/> may emit a summary (the totals of
/// every branch, say) as the job's last messages from this step. Completion comes from the job's weights, never a count.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="Collect"/> sees each output of the sink's functions before it goes on, on the instance that will later emit the
/// summary: the server itself, or a parallel sink's leader (its functions run on the workers). Keep a job's running totals in
/// <see cref="StateOf{T}"/>, dropped once the summary is made (or the job's client goes away).
/// </para>
/// <para>
/// A summary is a message of the sink's own: its <see cref="MessageContext.InputIndex"/> (and <c>JobResult.InputIndex</c>) is
/// negative. A message that reaches the sink after its summary (a route that comes back to it) is an error result. See docs/shapes.md.
/// </para>
/// </remarks>
public abstract class SinkServer : PalmServer
{
    private readonly Dictionary<Guid, object> _states = new();

    /// <summary>Sees one output of a sink function for the job of <paramref name="message"/> before it goes on (by default nothing).</summary>
    /// <param name="message">The message the function ran on (its branch is <see cref="MessageContext.Branch"/>).</param>
    /// <param name="output">One output of the function.</param>
    protected virtual void Collect(MessageContext message, ReadOnlyMemory<byte> output)
    {
    }

    /// <summary>
    /// Called once per job when every message of the job that reaches this step has been handled here: what it returns goes on
    /// along the route from this step (null or empty: nothing).
    /// </summary>
    /// <param name="jobId">The job.</param>
    protected virtual IEnumerable<byte[]>? OnUpstreamsComplete(Guid jobId) => null;

    /// <summary>The state this sink keeps for job <paramref name="jobId"/> (made on first use; dropped after <see cref="OnUpstreamsComplete"/>).</summary>
    /// <typeparam name="T">The state's type: one per sink.</typeparam>
    /// <param name="jobId">The job.</param>
    protected T StateOf<T>(Guid jobId) where T : class, new()
    {
        if (_states.TryGetValue(jobId, out var state))
            return state as T ?? throw new InvalidOperationException($"The state of job {jobId} is a {state.GetType().Name}, not a {typeof(T).Name}: a sink keeps one type of state.");
        var made = new T();
        _states[jobId] = made;
        return made;
    }

    internal void CollectOutput(MessageContext message, ReadOnlyMemory<byte> output) => Collect(message, output);

    internal IEnumerable<byte[]>? Complete(Guid jobId) => OnUpstreamsComplete(jobId);

    internal void Forget(Guid jobId) => _states.Remove(jobId);

    internal override string TemplateName => nameof(SinkServer);
}
