using System.Buffers;

namespace Palm.Transport.Internal;

/// <summary>
/// The stream under an outbound lane's TLS stream. TLS writes a large buffer as records of at most
/// 16 KiB, each one write to the stream beneath; once <see cref="Coalescing"/> is on, those writes
/// collect in a pooled buffer that <see cref="Flush"/> sends in one write, so a batch of frames costs
/// one system call instead of one per record. Reads pass through. Between flushes no buffer is held.
/// </summary>
/// <param name="inner">The connection's <see cref="System.Net.Sockets.NetworkStream"/> (owned: disposed with this stream).</param>
/// <param name="capacity">Bytes collected before they are sent without waiting for the flush.</param>
internal sealed class CoalescingStream(Stream inner, int capacity) : Stream
{
    // TLS may write from a read (an alert), beside the writer thread: both go through this lock.
    private readonly Lock _gate = new();
    private byte[]? _buffer;
    private int _count;

    /// <summary>Off while the TLS handshake runs (its messages must go at once); on for the frames.</summary>
    public bool Coalescing { get; set; }

    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
    public override int Read(Span<byte> buffer) => inner.Read(buffer);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        inner.ReadAsync(buffer, offset, count, cancellationToken);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        lock (_gate)
        {
            if (!Coalescing)
            {
                inner.Write(buffer);
                return;
            }
            if (buffer.Length > capacity - _count)
            {
                Send();
                if (buffer.Length >= capacity)
                {
                    inner.Write(buffer);
                    return;
                }
            }
            _buffer ??= ArrayPool<byte>.Shared.Rent(capacity);
            buffer.CopyTo(_buffer.AsSpan(_count));
            _count += buffer.Length;
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!Coalescing) return inner.WriteAsync(buffer, cancellationToken);
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override void Flush()
    {
        lock (_gate)
        {
            Send();
            Release();
        }
    }

    public override Task FlushAsync(CancellationToken cancellationToken)
    {
        if (!Coalescing) return inner.FlushAsync(cancellationToken);
        Flush();
        return Task.CompletedTask;
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    private void Send()
    {
        if (_count == 0) return;
        inner.Write(_buffer!, 0, _count);
        _count = 0;
    }

    private void Release()
    {
        if (_buffer is null) return;
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = null;
        _count = 0;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
            lock (_gate) Release();
        }
        base.Dispose(disposing);
    }
}
