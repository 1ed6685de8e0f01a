namespace Palm.Servers;

/// <summary>
/// The server that starts a stream: a <see cref="PalmFunctionAttribute"/> function returning <c>IEnumerable&lt;byte[]&gt;</c>,
/// <c>IEnumerable&lt;ReadOnlyMemory&lt;byte&gt;&gt;</c> or their <c>IAsyncEnumerable</c> counterparts is a <em>generator</em>:
/// for each input the client sends it (a seed: a file name, a query, a count) it yields the job's messages itself, read
/// file line by line, page by page, under the same backpressure as a client's inputs. The sequence is pulled only as far as
/// the job's window past the messages already complete, so a generator of ten million messages runs in the memory of a
/// window; the job still completes by itself, without the client or the generator counting.
/// </summary>
/// <remarks>
/// <para>
/// Each yielded payload goes on along the route like an output of the step (through <see cref="PalmServer.OnOutput"/>,
/// so a source that is the fork of a <c>JobRoute</c> tees or splits its stream). Its <see cref="MessageContext.InputIndex"/>
/// (and <c>JobResult.InputIndex</c>) is negative, unique in the job. A generator that throws ends with an error result naming
/// the server and the function; what it yielded before goes on. A source's other functions behave as on any server.
/// </para>
/// <para>
/// Like the other parallel templates a source may be started as a leader with workers: generators run on the leader, and
/// its other functions on the workers. See docs/shapes.md.
/// </para>
/// </remarks>
public abstract class SourceServer : PalmServer
{
    internal override string TemplateName => nameof(SourceServer);
}
