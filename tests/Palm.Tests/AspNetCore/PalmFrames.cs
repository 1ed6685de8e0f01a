using System.Buffers.Binary;

namespace Palm.Tests.AspNetCore;

/// <summary>A response frame of <c>application/x-palm-frames</c>: input index, type (0 result, 1 error, 2 failed, 3 end) and body.</summary>
public sealed record PalmFrame(long Input, byte Type, byte[] Body);

/// <summary>The client side of <c>application/x-palm-frames</c>, written from docs/gateway.md as any client would.</summary>
public static class PalmFrames
{
    /// <summary>An input frame: 4-byte little-endian length, then the bytes.</summary>
    public static byte[] Input(ReadOnlySpan<byte> payload)
    {
        var frame = new byte[4 + payload.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(frame, (uint)payload.Length);
        payload.CopyTo(frame.AsSpan(4));
        return frame;
    }

    /// <summary>Reads response frames until the stream ends.</summary>
    public static async IAsyncEnumerable<PalmFrame> ReadAsync(Stream stream)
    {
        var header = new byte[13];
        while (true)
        {
            var got = await stream.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false);
            if (got == 0) yield break;
            if (got < header.Length) throw new EndOfStreamException($"A frame header broke off after {got} bytes.");
            var body = new byte[BinaryPrimitives.ReadUInt32LittleEndian(header)];
            await stream.ReadExactlyAsync(body);
            yield return new PalmFrame(BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(4)), header[12], body);
        }
    }
}
