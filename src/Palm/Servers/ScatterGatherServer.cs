namespace Palm.Servers;

/// <summary>
/// A parallel server that splits each message into parts, has its workers process the parts, and joins their results:
/// the leader's <see cref="Scatter"/> cuts a message into parts, workers call the step's <see cref="PalmFunctionAttribute"/>
/// function on each part, and once every part is answered the leader's <see cref="Gather"/> receives their outputs, in the
/// order the parts were scattered, and returns the outputs that continue along the route.
/// </summary>
/// <remarks>
/// <para>
/// Like <see cref="ButterflyServer"/> (whose ventilator, workers and guarantees it shares), the same class is started as
/// one <see cref="ServerRole.Leader"/> and any number of <see cref="ServerRole.Worker"/>s, or alone
/// (<see cref="ServerRole.Standalone"/>), which calls the function on the parts itself. Parts are spread over the workers
/// like any butterfly messages: a worker that dies or leaves has its parts re-dispatched, and each part is gathered
/// exactly once.
/// </para>
/// <para>
/// Errors are values, per input: a part whose function throws makes that input's result an error naming the server, the
/// function and the part's index (other inputs are unaffected, and the remaining parts of that input are not gathered); a
/// <see cref="Scatter"/> or <see cref="Gather"/> that throws makes it an error naming <c>Scatter</c> or <c>Gather</c>. A
/// <see cref="Scatter"/> that returns no parts calls <see cref="Gather"/> at once with no results.
/// </para>
/// <para>
/// Completion: the parts are a fan-out of their message, each with a share of its weight, and the gather joins them again:
/// what <see cref="Gather"/> returns leaves with the whole weight of the message it came from, like the outputs of any
/// function.
/// </para>
/// </remarks>
public abstract class ScatterGatherServer : PalmServer
{
    /// <summary>Cuts one message into parts (run on the leader). No parts: <see cref="Gather"/> is called with none.</summary>
    /// <param name="message">The payload of the message.</param>
    protected abstract IEnumerable<byte[]> Scatter(ReadOnlyMemory<byte> message);

    /// <summary>
    /// Joins the results of one message's parts (run on the leader): <paramref name="results"/> holds the outputs of
    /// the function on part 0, then those on part 1, and so on (with one output per part, <c>results[i]</c> is part
    /// <c>i</c>'s). Returns the outputs that continue along the route (none: null or empty).
    /// </summary>
    /// <param name="message">The payload of the message that was scattered.</param>
    /// <param name="results">The parts' outputs, in scatter order.</param>
    protected abstract IEnumerable<byte[]>? Gather(ReadOnlyMemory<byte> message, IReadOnlyList<ReadOnlyMemory<byte>> results);

    internal IEnumerable<byte[]> ScatterMessage(ReadOnlyMemory<byte> message) => Scatter(message);

    internal IEnumerable<byte[]>? GatherResults(ReadOnlyMemory<byte> message, IReadOnlyList<ReadOnlyMemory<byte>> results) => Gather(message, results);

    internal override string TemplateName => nameof(ScatterGatherServer);
}
