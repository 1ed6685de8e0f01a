using System.Buffers.Binary;
using System.Reflection;
using System.Text;

namespace Palm.Servers;

/// <summary>
/// A parallel server that folds a job's stream into one result (or one per key): workers call the step's
/// <see cref="PalmFunctionAttribute"/> function on each message (the map), and the leader folds every output with
/// <see cref="Reduce"/>, starting from <see cref="Initial"/>. When the job is complete at that step (every message of the
/// job that reaches it has been folded, which the client knows from the completion weights, never from a count) the
/// leader emits the fold, and it continues along the route like any output: a reduce may stand anywhere in a route.
/// </summary>
/// <remarks>
/// <para>
/// Like <see cref="ButterflyServer"/> (whose ventilator, workers and guarantees it shares), the same class is started as
/// one <see cref="ServerRole.Leader"/> and any number of <see cref="ServerRole.Worker"/>s, or alone
/// (<see cref="ServerRole.Standalone"/>), which maps and folds by itself. A worker killed or leaving mid-job changes
/// nothing in the result: each message is answered, and so folded, exactly once. The folds live on the leader: a leader
/// that dies fails its running jobs naming the server.
/// </para>
/// <para>
/// Keys: override <see cref="Key"/> and each output is folded into the accumulator of its key; the job gets one result per
/// key (by default the key and the accumulator, see <see cref="KeyedResult"/>; override <see cref="Result"/> to shape it).
/// A key function that returns null or throws makes that output an error result; the rest of the job goes on.
/// </para>
/// <para>
/// Windows, for endless jobs: with <c>palm.reduce.window-messages</c> (or <see cref="WindowMessages"/>) a reduce emits what
/// it holds for a job each time it has folded that many messages of it, and with <c>palm.reduce.window-time</c> (or
/// <see cref="WindowTime"/>) every so often; then starts afresh from <see cref="Initial"/> (tumbling windows). A window counts
/// the messages that reach the reduce step, not the job's inputs: with fan-out before the reduce, one input's messages may
/// fall into different windows. Whatever a window has not emitted when the job ends is emitted then.
/// </para>
/// <para>
/// What a reduce emits is a message of its own, not derived from one input: its <see cref="MessageContext.InputIndex"/>
/// (and <c>JobResult.InputIndex</c>) is negative, unique within the job. A reduce that folded nothing for a job emits nothing.
/// </para>
/// </remarks>
public abstract class ReduceServer : PalmServer
{
    private bool? _keyed;

    /// <summary>A fresh accumulator (a new array each call: it may be changed in place by <see cref="Reduce"/>).</summary>
    protected abstract byte[] Initial();

    /// <summary>Folds one output of the function into <paramref name="accumulator"/> and returns the new accumulator (it may be the same array).</summary>
    /// <param name="accumulator">The accumulator so far.</param>
    /// <param name="partial">One output of the step's function on one message.</param>
    protected abstract byte[] Reduce(byte[] accumulator, ReadOnlyMemory<byte> partial);

    /// <summary>The key <paramref name="partial"/> is folded under. Not overridden: one accumulator per job (and window).</summary>
    /// <param name="partial">One output of the step's function.</param>
    protected virtual string? Key(ReadOnlyMemory<byte> partial) => throw new NotSupportedException("This reduce has no key function.");

    /// <summary>The payload emitted for one accumulator: by default the accumulator itself, or with a key <see cref="KeyedResult"/>.</summary>
    /// <param name="key">The accumulator's key; null without a key function.</param>
    /// <param name="accumulator">The fold.</param>
    protected virtual byte[] Result(string? key, byte[] accumulator) => key is null ? accumulator : KeyedResult(key, accumulator);

    /// <summary>Emit after this many messages folded per job (overrides <c>palm.reduce.window-messages</c>; null: the setting).</summary>
    protected virtual int? WindowMessages => null;

    /// <summary>Emit every so often (overrides <c>palm.reduce.window-time</c>; null: the setting).</summary>
    protected virtual TimeSpan? WindowTime => null;

    /// <summary>A key and a value in one payload: the key's UTF-8 length (4 bytes, little-endian), the key, then the value.</summary>
    public static byte[] KeyedResult(string key, ReadOnlySpan<byte> value)
    {
        ArgumentNullException.ThrowIfNull(key);
        var length = Encoding.UTF8.GetByteCount(key);
        var bytes = new byte[4 + length + value.Length];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, length);
        Encoding.UTF8.GetBytes(key, bytes.AsSpan(4));
        value.CopyTo(bytes.AsSpan(4 + length));
        return bytes;
    }

    /// <summary>Reads a payload written by <see cref="KeyedResult"/>.</summary>
    /// <exception cref="FormatException">The payload is not a keyed result.</exception>
    public static (string Key, ReadOnlyMemory<byte> Value) ParseKeyedResult(ReadOnlyMemory<byte> payload)
    {
        var span = payload.Span;
        if (span.Length < 4) throw new FormatException("A keyed result has at least 4 bytes.");
        var length = BinaryPrimitives.ReadInt32LittleEndian(span);
        if (length < 0 || length > span.Length - 4) throw new FormatException($"A keyed result's key length {length} does not fit its {span.Length} bytes.");
        return (Encoding.UTF8.GetString(span.Slice(4, length)), payload[(4 + length)..]);
    }

    internal bool Keyed => _keyed ??= GetType().GetMethod(nameof(Key), BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public,
        [typeof(ReadOnlyMemory<byte>)])!.DeclaringType != typeof(ReduceServer);

    internal byte[] NewAccumulator() => Initial() ?? throw new InvalidOperationException("Initial returned null.");

    internal byte[] Fold(byte[] accumulator, ReadOnlyMemory<byte> partial) =>
        Reduce(accumulator, partial) ?? throw new InvalidOperationException("Reduce returned null.");

    internal string? KeyOf(ReadOnlyMemory<byte> partial) => Key(partial);

    internal byte[] ResultOf(string? key, byte[] accumulator) =>
        Result(key, accumulator) ?? throw new InvalidOperationException("Result returned null.");

    internal (int? Messages, TimeSpan? Time) Windows => (WindowMessages, WindowTime);

    internal override string TemplateName => nameof(ReduceServer);
}
