using System.Buffers;

namespace Palm.Transport.Internal;

/// <summary>
/// The stream under an outbound lane's TLS stream. TLS writes a large buffer as records of at most
/// 16 KiB, each one write to the stream beneath; once <see cref="Coalescing"/> is on, those writes
/// collect in a pooled buffer that a flush sends in one write, so a batch of frames costs one system
/// call instead of one per record. Reads pass through. Between flushes no buffer is held.
/// </summary>
/// <param name="inner">The connection's <see cref="System.Net.Sockets.NetworkStream"/> (owned: disposed with this stream).</param>
/// <param name="capacity">Bytes collected before they are sent without waiting for the flush.</param>
internal sealed class CoalescingStream(Stream inner, int capacity) : WrappingStream(inner)
{
    // TLS may write from a read (an alert), beside the lane's writes: both take this gate, which an
    // asynchronous write holds across its sends so that records reach the socket in the order TLS sealed them.
    private readonly SemaphoreSlim _gate = new(1, 1);
    private byte[]? _buffer;
    private int _count;

    /// <summary>Off while the TLS handshake runs (its messages must go at once); on for the frames.</summary>
    public bool Coalescing { get; set; }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _gate.Wait();
        try
        {
            if (!Coalescing || buffer.Length > capacity - _count)
            {
                if (_count > 0) Inner.Write(_buffer!, 0, _count);
                _count = 0;
                if (!Coalescing || buffer.Length >= capacity)
                {
                    Inner.Write(buffer);
                    return;
                }
            }
            Append(buffer);
        }
        finally
        {
            _gate.Release();
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!Coalescing || buffer.Length > capacity - _count)
            {
                if (_count > 0) await Inner.WriteAsync(_buffer.AsMemory(0, _count), cancellationToken).ConfigureAwait(false);
                _count = 0;
                // What would not fit goes now: the next record then has the whole buffer.
                if (!Coalescing || buffer.Length >= capacity)
                {
                    await Inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
                    return;
                }
            }
            Append(buffer.Span);
        }
        finally
        {
            _gate.Release();
        }
    }

    public override void Flush()
    {
        _gate.Wait();
        try
        {
            if (_count > 0) Inner.Write(_buffer!, 0, _count);
            Release();
        }
        finally
        {
            _gate.Release();
        }
    }

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_count > 0) await Inner.WriteAsync(_buffer.AsMemory(0, _count), cancellationToken).ConfigureAwait(false);
            Release();
        }
        finally
        {
            _gate.Release();
        }
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        _buffer ??= ArrayPool<byte>.Shared.Rent(capacity);
        bytes.CopyTo(_buffer.AsSpan(_count));
        _count += bytes.Length;
    }

    private void Release()
    {
        _count = 0;
        if (_buffer is null) return;
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = null;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (!disposing) return;
        // A write still holding the gate (its socket just failed) returns the buffer itself on its next flush, or never: the pool copes.
        if (!_gate.Wait(0)) return;
        Release();
        _gate.Release();
    }
}
