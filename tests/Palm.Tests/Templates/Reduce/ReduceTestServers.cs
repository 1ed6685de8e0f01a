using System.Buffers.Binary;
using Palm.Servers;
using Palm.Tests.Support;

namespace Palm.Tests.Templates.Reduce;

/// <summary>8-byte little-endian integers, the payloads of the reduce tests.</summary>
public static class Int64s
{
    public static byte[] Bytes(long value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        return bytes;
    }

    public static long Of(ReadOnlyMemory<byte> bytes) => BinaryPrimitives.ReadInt64LittleEndian(bytes.Span);
}

/// <summary>Sums 8-byte integers: <c>add</c> maps a value to itself, <c>pairs</c> to itself twice; the leader adds.</summary>
public class SumServer : ReduceServer
{
    [PalmFunction("add")]
    public byte[] Add(byte[] value) => value;

    /// <summary>Fails for 13 (a map that throws).</summary>
    [PalmFunction("picky")]
    public byte[] Picky(byte[] value) => Int64s.Of(value) == 13 ? throw new FormatException("13 is unlucky") : value;

    /// <summary>Emits nothing for odd values.</summary>
    [PalmFunction("evens")]
    public byte[]? Evens(byte[] value) => Int64s.Of(value) % 2 == 0 ? value : null;

    protected override byte[] Initial() => new byte[8];

    /// <summary>Adds; refuses -666 (a reduce that throws).</summary>
    protected override byte[] Reduce(byte[] accumulator, ReadOnlyMemory<byte> partial)
    {
        var value = Int64s.Of(partial);
        if (value == -666) throw new ArgumentOutOfRangeException(nameof(partial), "-666 cannot be added");
        BinaryPrimitives.WriteInt64LittleEndian(accumulator, Int64s.Of(accumulator) + value);
        return accumulator;
    }
}

/// <summary>A sum that emits after every 10 messages it folds (the class's own window).</summary>
public sealed class TenSumServer : SumServer
{
    protected override int? WindowMessages => 10;
}

/// <summary>Counts words: <c>words</c> maps a line to its words, the key is the word, the fold counts.</summary>
public sealed class WordCountServer : ReduceServer
{
    [PalmFunction("words")]
    public IEnumerable<byte[]> Words(byte[] line) => Text.Of(line).Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(Text.Bytes);

    protected override byte[] Initial() => new byte[8];

    /// <summary>The word, except "NOKEY", which has none.</summary>
    protected override string? Key(ReadOnlyMemory<byte> partial) => Text.Of(partial) is var word && word == "NOKEY" ? null : word;

    protected override byte[] Reduce(byte[] accumulator, ReadOnlyMemory<byte> partial)
    {
        BinaryPrimitives.WriteInt64LittleEndian(accumulator, Int64s.Of(accumulator) + 1);
        return accumulator;
    }
}

/// <summary>A serial server that shows an 8-byte integer as text (the step after a reduce).</summary>
public sealed class ShowServer : RegisteredServer
{
    [PalmFunction("show")]
    public byte[] Show(byte[] value) => Text.Bytes("total " + Int64s.Of(value));
}
