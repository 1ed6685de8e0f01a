using System.Buffers.Binary;

namespace Palm.Bench.Common;

/// <summary>
/// Counts what arrived against what was sent: every message carries its sequence number in its first
/// eight bytes, so each benchmark reports lost and duplicated messages, not just a rate.
/// </summary>
public sealed class Delivery(long expected)
{
    private readonly ulong[] _seen = new ulong[(expected + 63) / 64];
    private long _distinct;

    /// <summary>Messages sent.</summary>
    public long Expected { get; } = expected;

    /// <summary>Messages that arrived, duplicates included.</summary>
    public long Received { get; private set; }

    /// <summary>Arrivals whose sequence number had already arrived (or is out of range).</summary>
    public long Duplicates { get; private set; }

    /// <summary>Arrivals whose payload did not match their sequence number.</summary>
    public long Corrupt { get; private set; }

    /// <summary>Error results (Palm) that arrived instead of a payload.</summary>
    public long Errors { get; private set; }

    /// <summary>Records an error result.</summary>
    public void Error() => Errors++;

    /// <summary>Sequence numbers that never arrived.</summary>
    public long Lost => Expected - _distinct;

    /// <summary>Records the arrival of <paramref name="seq"/>; returns false for a duplicate.</summary>
    public bool Arrived(long seq)
    {
        Received++;
        if ((ulong)seq >= (ulong)Expected)
        {
            Duplicates++;
            return false;
        }
        ref var word = ref _seen[seq >> 6];
        var bit = 1UL << (int)(seq & 63);
        if ((word & bit) != 0)
        {
            Duplicates++;
            return false;
        }
        word |= bit;
        _distinct++;
        return true;
    }

    /// <summary>Records an arrival whose payload must carry <paramref name="seq"/>.</summary>
    public bool Arrived(long seq, ReadOnlySpan<byte> payload) =>
        Arrived(seq, payload.Length >= 8 && BinaryPrimitives.ReadInt64LittleEndian(payload) == seq);

    /// <summary>Records the arrival of <paramref name="seq"/>, counted corrupt unless <paramref name="intact"/> (the caller checked its payload).</summary>
    public bool Arrived(long seq, bool intact)
    {
        if (!intact) Corrupt++;
        return Arrived(seq);
    }

    /// <summary>Whether every message arrived exactly once, intact.</summary>
    public bool Exact => Lost == 0 && Duplicates == 0 && Corrupt == 0 && Errors == 0;

    /// <inheritdoc />
    public override string ToString() =>
        $"lost {Lost} dup {Duplicates}" + (Corrupt > 0 ? $" corrupt {Corrupt}" : "") + (Errors > 0 ? $" errors {Errors}" : "");

    /// <summary>A payload of <paramref name="size"/> bytes (at least 8) whose first eight carry <paramref name="seq"/>.</summary>
    public static byte[] Payload(long seq, int size)
    {
        var template = Template(size);
        var bytes = GC.AllocateUninitializedArray<byte>(template.Length);
        template.CopyTo(bytes, 0);
        BinaryPrimitives.WriteInt64LittleEndian(bytes, seq);
        return bytes;
    }

    [ThreadStatic] private static byte[]? _template;

    private static byte[] Template(int size)
    {
        size = Math.Max(size, 8);
        if (_template is { } t && t.Length == size) return t;
        t = new byte[size];
        for (var i = 8; i < t.Length; i++) t[i] = (byte)(i * 31);
        return _template = t;
    }

    /// <summary>The sequence number a payload carries.</summary>
    public static long SeqOf(ReadOnlySpan<byte> payload) => BinaryPrimitives.ReadInt64LittleEndian(payload);
}
