using System.Buffers;

namespace Palm.Transport.Internal;

/// <summary>
/// Reads exact byte counts from one lane connection's stream without a thread of its own, and without holding memory a peer
/// has not filled (docs/internals.md#lanestreamreader).
/// </summary>
/// <param name="stream">The connection's stream.</param>
/// <param name="bufferSize">Size of the pooled read buffer, rented while bytes wait in it.</param>
/// <param name="available">How many bytes the transport holds that no read took yet (a hint: the socket's count).</param>
/// <param name="directReadBytes">
/// A remainder of an array at least this large is read straight into the array, not through the
/// buffer. Over a socket, a smaller one goes through the buffer, whose one read may also take the
/// next frames; over TLS every read is a copy out of TLS's own buffer anyway, so a low value saves a pass.
/// </param>
internal sealed class LaneStreamReader(Stream stream, int bufferSize, Func<int> available, int directReadBytes) : IDisposable
{
    /// <summary>
    /// An announced array is first allocated at this size (or smaller) and grows by doubling as bytes arrive, so a peer that
    /// announces 8 MiB and sends a byte costs 128 KiB (docs/internals.md#lanestreamreader).
    /// </summary>
    public const int FirstChunkBytes = 128 * 1024;

    private byte[]? _buffer;
    private int _start;
    private int _end;

    /// <summary>Whether nothing received waits to be read, in this reader or the transport: the sender may be waiting for an acknowledgement.</summary>
    public bool CaughtUp => _start == _end && available() == 0;

    /// <summary>Fills <paramref name="destination"/> entirely.</summary>
    /// <exception cref="EndOfStreamException">The peer closed the connection first.</exception>
    public ValueTask ReadExactlyAsync(Memory<byte> destination)
    {
        if (_end - _start >= destination.Length)
        {
            Take(destination.Span);
            return ValueTask.CompletedTask;
        }
        return ReadExactlySlowAsync(destination);
    }

    /// <summary>
    /// Reads the next <paramref name="length"/> bytes into a new array of exactly that length,
    /// allocated as the bytes arrive (see <see cref="FirstChunkBytes"/>).
    /// </summary>
    /// <exception cref="EndOfStreamException">The peer closed the connection first.</exception>
    public ValueTask<byte[]> ReadArrayAsync(int length)
    {
        if (length == 0) return ValueTask.FromResult(Array.Empty<byte>());
        if (_end - _start >= length)
        {
            var array = GC.AllocateUninitializedArray<byte>(length);
            Take(array);
            return ValueTask.FromResult(array);
        }
        return ReadArraySlowAsync(length);
    }

    private async ValueTask ReadExactlySlowAsync(Memory<byte> destination)
    {
        while (destination.Length > 0)
        {
            if (_start == _end) await FillAsync().ConfigureAwait(false);
            var n = Math.Min(destination.Length, _end - _start);
            Take(destination.Span[..n]);
            destination = destination[n..];
        }
    }

    private async ValueTask<byte[]> ReadArraySlowAsync(int length)
    {
        // Nothing is allocated on the word of the peer: first a byte must arrive.
        if (_start == _end) await FillAsync().ConfigureAwait(false);
        var array = GC.AllocateUninitializedArray<byte>(Math.Min(length, Math.Max(FirstChunkBytes, _end - _start + available())));
        var filled = 0;
        while (filled < length)
        {
            if (filled == array.Length)
            {
                // Full, and every byte in it arrived: double it (or more, when the transport already holds more).
                var grown = GC.AllocateUninitializedArray<byte>((int)Math.Min(length, Math.Max(2L * array.Length, (long)filled + available())));
                array.AsSpan(0, filled).CopyTo(grown);
                array = grown;
            }
            if (_start < _end)
            {
                var n = Math.Min(array.Length - filled, _end - _start);
                Take(array.AsSpan(filled, n));
                filled += n;
            }
            else if (array.Length - filled >= directReadBytes)
            {
                // A large remainder goes straight into the array: no copy through the buffer.
                ReturnBuffer();
                filled += await ReadAsync(array.AsMemory(filled)).ConfigureAwait(false);
            }
            else
            {
                await FillAsync().ConfigureAwait(false);
            }
        }
        return array;
    }

    /// <summary>Waits until at least one byte waits in the buffer; holds no buffer while the peer is silent.</summary>
    private async ValueTask FillAsync()
    {
        if (_buffer is null || available() == 0)
        {
            ReturnBuffer();
            // A zero-byte read completes when bytes arrive (or the peer closes) and needs no buffer:
            // thousands of quiet connections cost no read buffers.
            await stream.ReadAsync(Memory<byte>.Empty).ConfigureAwait(false);
            _buffer = ArrayPool<byte>.Shared.Rent(bufferSize);
        }
        _start = 0;
        _end = 0;
        _end = await ReadAsync(_buffer.AsMemory(0, bufferSize)).ConfigureAwait(false);
    }

    private async ValueTask<int> ReadAsync(Memory<byte> into)
    {
        var n = await stream.ReadAsync(into).ConfigureAwait(false);
        return n > 0 ? n : throw new EndOfStreamException("The lane connection was closed by its peer.");
    }

    private void Take(Span<byte> destination)
    {
        _buffer.AsSpan(_start, destination.Length).CopyTo(destination);
        _start += destination.Length;
    }

    private void ReturnBuffer()
    {
        if (_buffer is null) return;
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = null;
        _start = _end = 0;
    }

    /// <summary>Returns the pooled buffer (the stream belongs to the caller). Call once no read is pending.</summary>
    public void Dispose() => ReturnBuffer();
}
