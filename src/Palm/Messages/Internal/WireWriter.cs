using System.Buffers.Binary;
using System.Text;

namespace Palm.Messages.Internal;

/// <summary>
/// Writes little-endian primitives into a buffer sized beforehand (one allocation per batch, or a
/// pooled array at least that long).
/// </summary>
internal struct WireWriter(byte[] buffer)
{
    private int _pos;

    public readonly byte[] Buffer => buffer;

    /// <summary>What was written so far.</summary>
    public readonly ArraySegment<byte> Written => new(buffer, 0, _pos);

    public static int SizeOf(string? s) => 4 + (s is null ? 0 : Encoding.UTF8.GetByteCount(s));
    public static int SizeOf(ReadOnlyMemory<byte> bytes) => 4 + bytes.Length;

    public void Byte(byte v) => buffer[_pos++] = v;

    public void Int(int v) => BinaryPrimitives.WriteInt32LittleEndian(Take(4), v);

    public void Long(long v) => BinaryPrimitives.WriteInt64LittleEndian(Take(8), v);

    public void UInt128(UInt128 v) => BinaryPrimitives.WriteUInt128LittleEndian(Take(16), v);

    public void Guid(Guid v) => v.TryWriteBytes(Take(16));

    public void String(string? s)
    {
        if (s is null)
        {
            Int(-1);
            return;
        }
        var n = Encoding.UTF8.GetBytes(s, buffer.AsSpan(_pos + 4));
        Int(n);
        _pos += n;
    }

    /// <summary>The single copy of a payload on its way out.</summary>
    public void Bytes(ReadOnlyMemory<byte> bytes)
    {
        Int(bytes.Length);
        bytes.Span.CopyTo(Take(bytes.Length));
    }

    private Span<byte> Take(int n)
    {
        var span = buffer.AsSpan(_pos, n);
        _pos += n;
        return span;
    }
}
