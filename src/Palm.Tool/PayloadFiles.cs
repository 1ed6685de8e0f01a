using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Palm.Tool;

/// <summary>How <c>palm job</c> reads its inputs and writes its results.</summary>
internal enum PayloadFormat
{
    /// <summary>One payload a line (the bytes between newlines, without them; a trailing CR dropped).</summary>
    Lines,

    /// <summary>Each payload after its length, 4 bytes big-endian: any bytes, newlines included.</summary>
    Binary,
}

/// <summary>Reading and writing payload files in a <see cref="PayloadFormat"/>, and counting their payloads.</summary>
internal static class PayloadFiles
{
    private const int BufferSize = 64 * 1024;

    /// <summary>The payloads of <paramref name="stream"/>, read as they are asked for.</summary>
    /// <exception cref="InvalidDataException">A binary file ends inside a payload or its length, or gives a negative length.</exception>
    public static IAsyncEnumerable<byte[]> ReadAsync(Stream stream, PayloadFormat format, CancellationToken cancellationToken = default) =>
        format == PayloadFormat.Lines ? ReadLinesAsync(stream, cancellationToken) : ReadFramesAsync(stream, cancellationToken);

    /// <summary>
    /// How many payloads <paramref name="stream"/> holds (a pass over it, without keeping them), back at its start after; null for
    /// a stream that cannot seek (a pipe, a FIFO, a terminal), whose payloads can be read only once.
    /// </summary>
    public static async Task<long?> CountAsync(Stream stream, PayloadFormat format, CancellationToken cancellationToken = default)
    {
        if (!stream.CanSeek) return null;
        var start = stream.Position;
        try
        {
            return await CountFromAsync(stream, format, cancellationToken);
        }
        finally
        {
            stream.Position = start;
        }
    }

    private static async Task<long> CountFromAsync(Stream stream, PayloadFormat format, CancellationToken cancellationToken)
    {
        if (format == PayloadFormat.Binary)
        {
            // The lengths alone: skip over every payload.
            long count = 0;
            var header = new byte[4];
            while (await FillAsync(stream, header, cancellationToken) == 4)
            {
                stream.Seek(Length(header, count), SeekOrigin.Current);
                count++;
            }
            return count;
        }
        long lines = 0;
        var buffer = new byte[BufferSize];
        var last = (byte)'\n';
        int read;
        while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
        {
            lines += buffer.AsSpan(0, read).Count((byte)'\n');
            last = buffer[read - 1];
        }
        return last == '\n' ? lines : lines + 1;
    }

    /// <summary>Writes one payload to <paramref name="stream"/> in <paramref name="format"/>.</summary>
    public static async ValueTask WriteAsync(Stream stream, PayloadFormat format, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        if (format == PayloadFormat.Binary)
        {
            var header = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(header, payload.Length);
            await stream.WriteAsync(header, cancellationToken);
            await stream.WriteAsync(payload, cancellationToken);
        }
        else
        {
            await stream.WriteAsync(payload, cancellationToken);
            stream.WriteByte((byte)'\n');
        }
    }

    private static async IAsyncEnumerable<byte[]> ReadLinesAsync(Stream stream, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var buffer = new byte[BufferSize];
        var line = new MemoryStream();
        int read;
        while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
        {
            var start = 0;
            for (var i = 0; i < read; i++)
            {
                if (buffer[i] != '\n') continue;
                line.Write(buffer, start, i - start);
                yield return EndLine(line);
                start = i + 1;
            }
            line.Write(buffer, start, read - start);
        }
        if (line.Length > 0) yield return EndLine(line);
    }

    private static byte[] EndLine(MemoryStream line)
    {
        var bytes = line.ToArray();
        line.SetLength(0);
        return bytes.Length > 0 && bytes[^1] == '\r' ? bytes[..^1] : bytes;
    }

    private static async IAsyncEnumerable<byte[]> ReadFramesAsync(Stream stream, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var header = new byte[4];
        long index = 0;
        int got;
        while ((got = await FillAsync(stream, header, cancellationToken)) == 4)
        {
            var payload = new byte[Length(header, index)];
            if (await FillAsync(stream, payload, cancellationToken) < payload.Length)
                throw new InvalidDataException($"The input ends inside payload #{index} ({payload.Length} bytes announced): not a length-prefixed file (--format binary)?");
            yield return payload;
            index++;
        }
        if (got > 0) throw new InvalidDataException($"The input ends inside the length of payload #{index}: not a length-prefixed file (--format binary)?");
    }

    private static int Length(byte[] header, long index)
    {
        var length = BinaryPrimitives.ReadInt32BigEndian(header);
        return length >= 0 ? length : throw new InvalidDataException($"Payload #{index} has a negative length ({length}): not a length-prefixed file (--format binary)?");
    }

    /// <summary>Reads until <paramref name="buffer"/> is full or the stream ends; returns the bytes read.</summary>
    private static async ValueTask<int> FillAsync(Stream stream, byte[] buffer, CancellationToken cancellationToken)
    {
        var total = 0;
        int read;
        while (total < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken)) > 0) total += read;
        return total;
    }
}
