using Palm.Servers;
using Palm.Tests.Support;

namespace Palm.Tests.Templates.ScatterGather;

/// <summary>
/// Scatters "a,b,c" into its comma-separated parts (none for an empty payload), upper-cases each part on a worker, and
/// gathers them joined with '+' ("&lt;none&gt;" for no parts). "SCATTER!" and "GATHER!" make Scatter and Gather throw.
/// </summary>
public sealed class SplitJoinServer : ScatterGatherServer
{
    [PalmFunction("upper")]
    public byte[] Upper(byte[] part) => Text.Of(part) == "bad" ? throw new FormatException("bad part") : Text.Bytes(Text.Of(part).ToUpperInvariant());

    protected override IEnumerable<byte[]> Scatter(ReadOnlyMemory<byte> message)
    {
        var text = Text.Of(message);
        if (text == "SCATTER!") throw new InvalidOperationException("cannot scatter");
        return text.Length == 0 ? [] : text.Split(',').Select(Text.Bytes);
    }

    protected override IEnumerable<byte[]>? Gather(ReadOnlyMemory<byte> message, IReadOnlyList<ReadOnlyMemory<byte>> results)
    {
        if (Text.Of(message) == "GATHER!") throw new InvalidOperationException("cannot gather");
        return [Text.Bytes(results.Count == 0 ? "<none>" : string.Join("+", results.Select(Text.Of)))];
    }
}

/// <summary>
/// Scatters and gathers like <see cref="SplitJoinServer"/>; while <see cref="Holding"/> is set, the first worker thread that
/// calls <c>upper</c> keeps every call it gets waiting until <see cref="Release"/> is set, so that its worker dies holding parts.
/// </summary>
public sealed class HeldPartsServer : ScatterGatherServer
{
    private static int _heldThread;

    public static volatile bool Holding;
    public static readonly ManualResetEventSlim Release = new(false);
    public static readonly TaskCompletionSource Held = new(TaskCreationOptions.RunContinuationsAsynchronously);

    [PalmFunction("upper")]
    public byte[] Upper(byte[] part)
    {
        if (Holding)
        {
            Interlocked.CompareExchange(ref _heldThread, Environment.CurrentManagedThreadId, 0);
            if (Volatile.Read(ref _heldThread) == Environment.CurrentManagedThreadId)
            {
                Held.TrySetResult();
                Release.Wait(TimeSpan.FromSeconds(60));
            }
        }
        return Text.Bytes(Text.Of(part).ToUpperInvariant());
    }

    protected override IEnumerable<byte[]> Scatter(ReadOnlyMemory<byte> message) => Text.Of(message).Split(',').Select(Text.Bytes);

    protected override IEnumerable<byte[]>? Gather(ReadOnlyMemory<byte> message, IReadOnlyList<ReadOnlyMemory<byte>> results) =>
        [Text.Bytes(string.Join("+", results.Select(Text.Of)))];
}
