using Palm.Bench.Common;
using Palm.Servers;

namespace Palm.Bench.Shapes;

/// <summary>The fork of the split figure: <c>pass</c> returns its payload, and the hook sends odd sequence numbers to branch "odd", even ones to "even".</summary>
public sealed class ParitySplitServer : RegisteredServer
{
    /// <summary>Returns the payload unchanged.</summary>
    [PalmFunction("pass")]
    public ReadOnlyMemory<byte> Pass(ReadOnlyMemory<byte> payload) => payload;

    /// <inheritdoc />
    protected override NextHop OnOutput(MessageContext message, ReadOnlyMemory<byte> output) =>
        NextHop.Branch(Delivery.SeqOf(output.Span) % 2 == 1 ? "odd" : "even");
}

/// <summary>The source of the generator figure: <c>count</c> yields as many 100-byte payloads as its seed says, numbered from 0.</summary>
public sealed class CountingSourceServer : SourceServer
{
    /// <summary>Size of every generated payload, the size of the other figures' inputs.</summary>
    public const int PayloadSize = 100;

    /// <summary>Yields payloads 0 to n - 1, n being the seed's first eight bytes.</summary>
    [PalmFunction("count")]
    public IEnumerable<byte[]> Count(ReadOnlyMemory<byte> seed)
    {
        var n = Delivery.SeqOf(seed.Span);
        for (long i = 0; i < n; i++) yield return Delivery.Payload(i, PayloadSize);
    }
}
