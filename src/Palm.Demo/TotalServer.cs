using System.Buffers.Binary;
using Palm.Servers;

namespace Palm.Demo;

/// <summary>
/// A reduce for crash drills: <c>total.add</c> maps each 8-byte integer (on the workers, ~0.1 ms each) to itself, and
/// the leader sums them into one 8-byte result per job, whatever workers die meanwhile.
/// </summary>
public sealed class TotalServer : ReduceServer
{
    /// <summary>The map: the value itself.</summary>
    [PalmFunction("add")]
    public byte[] Add(byte[] value) => value;

    /// <inheritdoc />
    protected override byte[] Initial() => new byte[8];

    /// <inheritdoc />
    protected override byte[] Reduce(byte[] accumulator, ReadOnlyMemory<byte> partial)
    {
        BinaryPrimitives.WriteInt64LittleEndian(accumulator,
            BinaryPrimitives.ReadInt64LittleEndian(accumulator) + BinaryPrimitives.ReadInt64LittleEndian(partial.Span));
        return accumulator;
    }
}
