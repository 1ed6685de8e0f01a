using System.Buffers.Binary;
using System.Runtime.Serialization;
using System.Text;

namespace Palm.Messages.Internal;

/// <summary>
/// Reads what <see cref="WireWriter"/> wrote, checking every length against what is left so that
/// garbage input fails with a <see cref="SerializationException"/> instead of a huge allocation.
/// Payloads are slices of the received buffer: no copy on the way in.
/// </summary>
internal struct WireReader(byte[] buffer)
{
    private int _pos;

    public readonly int Remaining => buffer.Length - _pos;

    private void Need(int n)
    {
        if (n < 0 || n > buffer.Length - _pos)
            throw new SerializationException($"Palm message is truncated or corrupt: needs {n} bytes at offset {_pos}, has {buffer.Length - _pos}.");
    }

    private ReadOnlySpan<byte> Take(int n)
    {
        Need(n);
        var span = buffer.AsSpan(_pos, n);
        _pos += n;
        return span;
    }

    public byte Byte() => Take(1)[0];

    public int Int() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

    /// <summary>A count of items that each take at least <paramref name="minItemSize"/> bytes.</summary>
    public int Count(int minItemSize)
    {
        var n = Int();
        if (n < 0 || (long)n * minItemSize > Remaining)
            throw new SerializationException($"Palm message is corrupt: count {n} does not fit in {Remaining} bytes.");
        return n;
    }

    public long Long() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

    public UInt128 UInt128() => BinaryPrimitives.ReadUInt128LittleEndian(Take(16));

    public Guid Guid() => new(Take(16));

    public string? String()
    {
        var n = Int();
        if (n == -1) return null;
        Need(n);
        try
        {
            var s = Utf8Strict.GetString(buffer, _pos, n);
            _pos += n;
            return s;
        }
        catch (DecoderFallbackException e)
        {
            throw new SerializationException("Palm message is corrupt: a string is not valid UTF-8.", e);
        }
    }

    public string RequiredString() =>
        String() ?? throw new SerializationException("Palm message is corrupt: a required string is null.");

    public ReadOnlyMemory<byte> Bytes()
    {
        var n = Int();
        Need(n);
        var m = new ReadOnlyMemory<byte>(buffer, _pos, n);
        _pos += n;
        return m;
    }

    public readonly void End()
    {
        if (_pos != buffer.Length)
            throw new SerializationException($"Palm message is corrupt: {buffer.Length - _pos} trailing bytes.");
    }

    private static readonly UTF8Encoding Utf8Strict = new(false, true);
}
