using Palm.Servers;
using Palm.Tests.Support;

namespace Palm.Tests.Servers.ScatterGather;

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
