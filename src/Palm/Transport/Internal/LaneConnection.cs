using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net.Security;
using System.Net.Sockets;
using Palm.Security;

namespace Palm.Transport.Internal;

/// <summary>
/// One outbound lane connection of a session: a writer thread of its own writes the queued frames, many per system call. It
/// keeps nothing: the session holds every frame until it is confirmed (docs/internals.md#laneconnection).
/// </summary>
internal sealed class LaneConnection
{
    private const int MaxBatchBytes = 1024 * 1024;
    private const int MaxBatchFrames = 32;
    // A system call takes at most MaxSegments pieces; one frame has MaxSegmentsPerFrame (header, body).
    private const int MaxSegments = 256;
    private const int MaxSegmentsPerFrame = 2;
    // TLS: the buffer a batch's plaintext is copied into (a batch stops growing at MaxBatchBytes),
    // and what the stream under TLS collects before it sends (the records of one such buffer).
    private const int TlsWriteBufferBytes = MaxBatchBytes;
    private const int TlsSendBufferBytes = MaxBatchBytes + 128 * 1024;
    // A piece this large (a large body) is encrypted from its own array: it fills whole
    // records anyway, and copying it first would be one more pass over its bytes.
    private const int TlsDirectWriteBytes = 16 * 1024;

    private readonly Socket _socket;
    private readonly SslStream? _tls;
    private readonly LanePeer _peer;
    private readonly LaneContext _context;
    private readonly Action<LaneConnection, Exception?> _closed;
    private readonly BlockingCollection<OutboundFrame> _queue = new(new ConcurrentQueue<OutboundFrame>());
    private readonly Lock _gate = new();
    private volatile bool _isClosed;
    // The writer and the acknowledgement reader; the last one out disposes the TLS stream.
    private int _running = 2;

    private LaneConnection(Socket socket, SslStream? tls, LanePeer peer, LaneContext context, Action<LaneConnection, Exception?> closed)
    {
        _socket = socket;
        _tls = tls;
        _peer = peer;
        _context = context;
        _closed = closed;
        new Thread(WriteLoop) { IsBackground = true, Name = "palm-lane-out" }.Start();
        new Thread(AckLoop) { IsBackground = true, Name = "palm-lane-ack" }.Start();
    }

    /// <summary>Whether the connection is closed (broken, or its system stopping).</summary>
    public bool IsClosed => _isClosed;

    /// <summary>Whether the connection runs mutual TLS.</summary>
    public bool IsTls => _tls is not null;

    /// <summary>
    /// Connects to a peer's lane at <paramref name="host"/>:<paramref name="port"/>, runs mutual TLS when
    /// <see cref="LaneContext.Tls"/> is set (asynchronously, no thread waits), and names
    /// <paramref name="peer"/>'s session, presenting <paramref name="secret"/> (which the peer's lane actor
    /// handed this system, <see cref="LaneEndpoint.Secret"/>); all within <c>palm.lane.connect-timeout</c>.
    /// </summary>
    public static async Task<LaneConnection> OpenAsync(string host, int port, Guid secret, LanePeer peer, LaneContext context, Action<LaneConnection, Exception?> closed)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        SslStream? tls = null;
        try
        {
            LaneListener.Configure(socket, context.Settings);
            using var timeout = new CancellationTokenSource(context.Settings.ConnectTimeout);
            await socket.ConnectAsync(host, port, timeout.Token).ConfigureAwait(false);
            var handshake = LaneFrame.Handshake(peer.Session, secret);
            if (context.Tls is { } settings)
            {
                var transport = new CoalescingStream(new NetworkStream(socket, ownsSocket: true), TlsSendBufferBytes);
                tls = await PalmTls.AuthenticateAsClientAsync(transport, settings, host, timeout.Token).ConfigureAwait(false);
                await tls.WriteAsync(handshake, timeout.Token).ConfigureAwait(false);
                await tls.FlushAsync(timeout.Token).ConfigureAwait(false);
                transport.Coalescing = true;
            }
            else
            {
                await socket.SendAsync(handshake, timeout.Token).ConfigureAwait(false);
            }
            return new LaneConnection(socket, tls, peer, context, closed);
        }
        catch
        {
            if (tls is not null) await tls.DisposeAsync().ConfigureAwait(false);
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Queues <paramref name="frame"/> (the session calls this in sequence order); false once the connection is closed.</summary>
    public bool TryEnqueue(OutboundFrame frame)
    {
        lock (_gate)
        {
            if (_isClosed) return false;
            _queue.Add(frame);
        }
        return true;
    }

    /// <summary>Closes the connection at once, as a network failure would (for tests).</summary>
    public void Break() => Close(new SocketException((int)SocketError.ConnectionReset));

    /// <summary>Closes the connection without a failure (the system is shutting down).</summary>
    public void Close() => Close(null);

    private void WriteLoop()
    {
        var frames = new List<OutboundFrame>(MaxBatchFrames);
        // The frames this batch holds (each once): their bodies stay theirs until written.
        var holding = new List<OutboundFrame>(MaxBatchFrames);
        var segments = new List<ArraySegment<byte>>(2 * MaxBatchFrames);
        Exception? failure = null;
        try
        {
            foreach (var first in _queue.GetConsumingEnumerable())
            {
                if (_isClosed) break;
                frames.Clear();
                segments.Clear();
                var bytes = 0L;
                var fuzzing = _context.Fuzzing;
                OutboundFrame? held = null;
                var frame = first;
                while (true)
                {
                    // Confirmed meanwhile (through Akka.Remote) or released (confirmed, or its session ended): nothing to write.
                    if (frame.Seq > _peer.Confirmed && frame.TryRetain())
                    {
                        holding.Add(frame);
                        frame.Encode(_context);
                        var fault = fuzzing?.Next() ?? Fault.None;
                        if (fault == Fault.Drop) frame.SentAt = _context.NowMs();
                        else if (fault == Fault.Delay) Requeue(frame, fuzzing!.NextDelay());
                        else if (fault == Fault.Reorder && held is null) held = frame;
                        else
                        {
                            bytes += Add(frame, frames, segments);
                            if (fault == Fault.Duplicate) bytes += Add(frame, frames, segments);
                            if (held is not null && !ReferenceEquals(held, frame))
                            {
                                bytes += Add(held, frames, segments);
                                held = null;
                            }
                        }
                    }
                    if (bytes >= MaxBatchBytes || frames.Count + 2 >= MaxBatchFrames || segments.Count + 3 * MaxSegmentsPerFrame > MaxSegments
                        || !_queue.TryTake(out frame!)) break;
                }
                if (held is not null) bytes += Add(held, frames, segments);
                if (frames.Count > 0)
                {
                    if (_tls is not null) WriteTls(_tls, segments, bytes);
                    else if (_socket.Send(segments) != bytes)
                        throw new IOException("The socket took only part of a lane write.");
                    var now = _context.NowMs();
                    foreach (var f in frames) f.SentAt = now;
                    Interlocked.Add(ref _context.Counters.Sent, frames.Count);
                }
                // Not kept while the writer sleeps: the session alone decides how long a payload lives.
                frames.Clear();
                segments.Clear();
                ReleaseAll(holding);
            }
        }
        catch (Exception e)
        {
            failure = e;
        }
        ReleaseAll(holding);
        Close(failure);
        Exited();
    }

    private static void ReleaseAll(List<OutboundFrame> frames)
    {
        foreach (var frame in frames) frame.Release();
        frames.Clear();
    }

    /// <summary>
    /// Writes a batch's pieces through TLS as few, large records: small pieces copied into one
    /// pooled buffer, large ones written from their own arrays.
    /// </summary>
    private static void WriteTls(SslStream tls, List<ArraySegment<byte>> segments, long bytes)
    {
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(bytes, TlsWriteBufferBytes));
        try
        {
            var used = 0;
            foreach (var segment in segments)
            {
                var direct = segment.Count >= Math.Min(TlsDirectWriteBytes, buffer.Length);
                if (direct || segment.Count > buffer.Length - used)
                {
                    if (used > 0) tls.Write(buffer, 0, used);
                    used = 0;
                    if (direct)
                    {
                        tls.Write(segment);
                        continue;
                    }
                }
                segment.AsSpan().CopyTo(buffer.AsSpan(used));
                used += segment.Count;
            }
            if (used > 0) tls.Write(buffer, 0, used);
            tls.Flush();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static long Add(OutboundFrame frame, List<OutboundFrame> frames, List<ArraySegment<byte>> segments)
    {
        frames.Add(frame);
        frame.AddSegments(segments);
        return frame.Header.Length + frame.BodyLength;
    }

    /// <summary>Fault injection: writes <paramref name="frame"/> later, out of order. Lost if the connection closed meanwhile: its session then resends it.</summary>
    private void Requeue(OutboundFrame frame, TimeSpan delay) =>
        _ = Task.Delay(delay).ContinueWith(_ => TryEnqueue(frame), TaskScheduler.Default);

    private void AckLoop()
    {
        Exception? failure;
        try
        {
            // SslStream allows one reader beside one writer: this thread is the reader. Without TLS, a small
            // buffer takes the acknowledgements that wait in one receive.
            Stream acks = (Stream?)_tls ?? new BufferedStream(new NetworkStream(_socket, ownsSocket: false), 4096);
            Span<byte> ack = stackalloc byte[8];
            while (true)
            {
                acks.ReadExactly(ack);
                var confirmed = BinaryPrimitives.ReadInt64LittleEndian(ack);
                switch (_context.Fuzzing?.Next() ?? Fault.None)
                {
                    case Fault.Drop:
                        break;
                    case Fault.Delay or Fault.Reorder:
                        _ = Task.Delay(_context.Fuzzing!.NextDelay()).ContinueWith(_ => _peer.Confirm(confirmed), TaskScheduler.Default);
                        break;
                    default:
                        _peer.Confirm(confirmed);
                        break;
                }
            }
        }
        catch (Exception e)
        {
            failure = e;
        }
        Close(failure);
        Exited();
    }

    /// <summary>A loop ended (after <see cref="Close(Exception?)"/>); the last one releases the TLS stream, which neither uses any more.</summary>
    private void Exited()
    {
        if (Interlocked.Decrement(ref _running) == 0) _tls?.Dispose();
    }

    private void Close(Exception? failure)
    {
        lock (_gate)
        {
            if (_isClosed) return;
            _isClosed = true;
            _queue.CompleteAdding();
        }
        LaneListener.Abort(_socket);
        _closed(this, failure);
    }
}
