using System.Buffers;

namespace Palm.Transport.Internal;

/// <summary>
/// The stream under an outbound lane's TLS stream: it collects TLS's writes of one record each and sends them in one write
/// at <see cref="Flush"/>, so a batch of frames costs one system call (docs/internals.md#coalescingstream).
/// </summary>
/// <param name="inner">The connection's <see cref="System.Net.Sockets.NetworkStream"/> (owned: disposed with this stream).</param>
/// <param name="capacity">Bytes collected before they are sent without waiting for the flush.</param>
internal sealed class CoalescingStream(Stream inner, int capacity) : WrappingStream(inner)
{
    // TLS may write from a read (an alert), beside the writer thread: both go through this lock.
    private readonly Lock _gate = new();
    private byte[]? _buffer;
    private int _count;

    /// <summary>Off while the TLS handshake runs (its messages must go at once); on for the frames.</summary>
    public bool Coalescing { get; set; }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        lock (_gate)
        {
            if (!Coalescing)
            {
                Inner.Write(buffer);
                return;
            }
            if (buffer.Length > capacity - _count)
            {
                Send();
                if (buffer.Length >= capacity)
                {
                    Inner.Write(buffer);
                    return;
                }
            }
            _buffer ??= ArrayPool<byte>.Shared.Rent(capacity);
            buffer.CopyTo(_buffer.AsSpan(_count));
            _count += buffer.Length;
        }
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!Coalescing) return Inner.WriteAsync(buffer, cancellationToken);
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
        if (!Coalescing) return Inner.FlushAsync(cancellationToken);
        Flush();
        return Task.CompletedTask;
    }

    private void Send()
    {
        if (_count == 0) return;
        Inner.Write(_buffer!, 0, _count);
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
        base.Dispose(disposing);
        if (disposing)
            lock (_gate) Release();
    }
}
