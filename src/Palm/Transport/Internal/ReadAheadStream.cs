using System.Buffers;

namespace Palm.Transport.Internal;

/// <summary>
/// The stream under an inbound lane's TLS stream: when more bytes wait than TLS asks for, it takes them all in one receive
/// and serves TLS's next reads from them, a copy instead of a system call per record (docs/internals.md#readaheadstream).
/// </summary>
/// <param name="inner">The connection's <see cref="System.Net.Sockets.NetworkStream"/> (owned: disposed with this stream).</param>
/// <param name="available">How many bytes the socket holds that no read took yet.</param>
/// <param name="capacity">The most bytes one receive takes ahead.</param>
internal sealed class ReadAheadStream(Stream inner, Func<int> available, int capacity) : WrappingStream(inner)
{
    private byte[]? _buffer;
    private int _start;
    private int _end;

    /// <summary>
    /// Off while the TLS handshake runs: until the peer has shown a trusted certificate, its bytes are
    /// read only as TLS asks for them, so a stranger cannot make the node hold a read-ahead buffer.
    /// </summary>
    public bool Enabled { get; set; }

    /// <summary>Bytes taken from the socket that no read took yet (the reader above counts them as waiting).</summary>
    public int Buffered => _end - _start;

    public override int Read(Span<byte> buffer)
    {
        if (_start < _end || buffer.Length == 0) return Take(buffer);
        if (!Enabled) return Inner.Read(buffer);
        var waiting = available();
        if (waiting <= buffer.Length) return Inner.Read(buffer);
        Rent();
        _end = Inner.Read(_buffer.AsSpan(0, Math.Min(waiting, capacity)));
        return Take(buffer);
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        // A zero-byte read waits for bytes without a buffer: it must reach the socket.
        if (_start < _end) return ValueTask.FromResult(Take(buffer.Span));
        var waiting = buffer.Length == 0 || !Enabled ? 0 : available();
        return waiting <= buffer.Length ? Inner.ReadAsync(buffer, cancellationToken) : ReadAheadAsync(buffer, waiting, cancellationToken);
    }

    private async ValueTask<int> ReadAheadAsync(Memory<byte> buffer, int waiting, CancellationToken cancellationToken)
    {
        Rent();
        // The bytes are there: this receive completes at once.
        _end = await Inner.ReadAsync(_buffer.AsMemory(0, Math.Min(waiting, capacity)), cancellationToken).ConfigureAwait(false);
        return Take(buffer.Span);
    }

    private void Rent()
    {
        _buffer ??= ArrayPool<byte>.Shared.Rent(capacity);
        _start = _end = 0;
    }

    /// <summary>Copies what the buffer holds into <paramref name="destination"/>; returns the buffer once drained.</summary>
    private int Take(Span<byte> destination)
    {
        var n = Math.Min(destination.Length, _end - _start);
        _buffer.AsSpan(_start, n).CopyTo(destination);
        _start += n;
        if (_start == _end) Release();
        return n;
    }

    private void Release()
    {
        if (_buffer is null) return;
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = null;
        _start = _end = 0;
    }

    protected override void Dispose(bool disposing)
    {
        // The buffer is dropped, not returned: a read that the closing socket fails may still hold it.
        _buffer = null;
        base.Dispose(disposing);
    }
}
