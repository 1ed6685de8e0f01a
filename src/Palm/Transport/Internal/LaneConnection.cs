using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net.Security;
using System.Net.Sockets;
using Palm.Security;

namespace Palm.Transport.Internal;

/// <summary>
/// One outbound lane connection of a session: frames queued by any thread are serialized and written,
/// many per system call, by whichever sender finds no write under way (<see cref="Pump"/>; no thread of
/// its own), and the receiver's cumulative acknowledgements confirm them in the session
/// (<see cref="LanePeer.Confirm"/>). The connection
/// keeps nothing: the session holds every frame until it is confirmed, and when the connection
/// breaks, its session actor sends what it had not confirmed through Akka.Remote.
/// </summary>
/// <remarks>
/// Without TLS the write hands the socket the frames' pieces in one gathering send. With TLS
/// (<c>palm.tls</c>) it cannot: TLS encrypts one buffer at a time, and each small write would be a
/// record of its own. So the small pieces of a batch are copied into one pooled buffer, a piece of
/// 16 KiB or more (a gathered payload) is encrypted straight from its own array, and the full-size
/// records collect in a <see cref="CoalescingStream"/> under the TLS stream, which sends them in one
/// system call.
/// </remarks>
internal sealed class LaneConnection
{
    private const int MaxBatchBytes = 1024 * 1024;
    private const int MaxBatchFrames = 32;
    // A system call takes at most MaxSegments pieces; one frame has at most MaxSegmentsPerFrame
    // (header, and two per gathered payload plus the buffer's last piece).
    private const int MaxSegments = 256;
    private const int MaxSegmentsPerFrame = 2 * 16 + 2;
    // TLS: the buffer a batch's plaintext is copied into (a batch stops growing at MaxBatchBytes),
    // and what the stream under TLS collects before it sends (the records of one such buffer).
    private const int TlsWriteBufferBytes = MaxBatchBytes;
    private const int TlsSendBufferBytes = MaxBatchBytes + 128 * 1024;
    // A piece this large (a gathered payload) is encrypted from its own array: it fills whole
    // records anyway, and copying it first would be one more pass over its bytes.
    private const int TlsDirectWriteBytes = 16 * 1024;
    // A batch smaller than this is written on the thread that queued it (a round trip waits on no
    // hand-off); a larger one moves to the thread pool first, so that its sender goes on in parallel.
    private const int InlineWriteMaxBytes = 32 * 1024;

    private readonly Socket _socket;
    private readonly SslStream? _tls;
    private readonly LanePeer _peer;
    private readonly LaneContext _context;
    private readonly Action<LaneConnection, Exception?> _closed;
    private readonly ConcurrentQueue<OutboundFrame> _queue = new();
    private readonly Lock _gate = new();
    private volatile bool _isClosed;
    // 1 while a pump owns the writes (PumpAsync), and for good once the connection closed with none running.
    private int _writing;
    private int _writerExited;
    // The batch being written; only the pump that owns the writes touches them.
    private readonly List<OutboundFrame> _frames = new(MaxBatchFrames);
    private readonly List<ArraySegment<byte>> _segments = new(2 * MaxBatchFrames);
    // The writes (a pump at a time) and the acknowledgement reader; the last one out disposes the TLS stream.
    private int _running = 2;

    private LaneConnection(Socket socket, SslStream? tls, LanePeer peer, LaneContext context, Action<LaneConnection, Exception?> closed)
    {
        _socket = socket;
        _tls = tls;
        _peer = peer;
        _context = context;
        _closed = closed;
        new Thread(AckLoop) { IsBackground = true, Name = "palm-lane-ack" }.Start();
    }

    /// <summary>The session this connection carries frames of (its handshake names it).</summary>
    public Guid Session => _peer.Session;

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

    /// <summary>
    /// Queues <paramref name="frame"/> (the session calls this in sequence order, under its lock); false once the
    /// connection is closed. <see cref="Pump"/> then writes it.
    /// </summary>
    public bool TryEnqueue(OutboundFrame frame)
    {
        lock (_gate)
        {
            if (_isClosed) return false;
            _queue.Enqueue(frame);
        }
        return true;
    }

    /// <summary>Closes the connection at once, as a network failure would (for tests).</summary>
    public void Break() => Close(new SocketException((int)SocketError.ConnectionReset));

    /// <summary>Closes the connection without a failure (the system is shutting down).</summary>
    public void Close() => Close(null);

    /// <summary>
    /// Writes what is queued unless a write is under way already; call after <see cref="TryEnqueue"/>, outside
    /// any lock. The first batch is written on the calling thread, with no hand-off to another thread (an
    /// eval round trip waits on no wake-up); the write is asynchronous, so a full socket parks no thread.
    /// </summary>
    public void Pump()
    {
        if (_queue.IsEmpty || Interlocked.CompareExchange(ref _writing, 1, 0) != 0) return;
        _ = PumpAsync();
    }

    /// <summary>Owns the writes (<see cref="_writing"/> is 1) until the queue is empty or the connection closes.</summary>
    private async Task PumpAsync()
    {
        Exception? failure = null;
        try
        {
            var inline = 0L;
            var onCaller = true;
            while (!_isClosed)
            {
                var bytes = TakeBatch();
                if (bytes < 0)
                {
                    // Released before the queue is looked at again: a frame queued meanwhile either sees
                    // the flag free and starts a pump of its own, or is seen here.
                    Interlocked.Exchange(ref _writing, 0);
                    if ((_queue.IsEmpty && !_isClosed) || Interlocked.CompareExchange(ref _writing, 1, 0) != 0) return;
                    continue;
                }
                if (_frames.Count == 0) continue;
                if (onCaller && bytes >= InlineWriteMaxBytes)
                {
                    // A large batch is written from the thread pool: the sender (an actor) goes on meanwhile.
                    onCaller = false;
                    await Task.CompletedTask.ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
                }
                if (_tls is not null) await WriteTlsAsync(_tls, _segments, bytes).ConfigureAwait(false);
                else if (await _socket.SendAsync(_segments, SocketFlags.None).ConfigureAwait(false) != bytes)
                    throw new IOException("The socket took only part of a lane write.");
                var now = Environment.TickCount64;
                foreach (var f in _frames) f.SentAt = now;
                Interlocked.Add(ref _context.Counters.Sent, _frames.Count);
                // Not kept while no write runs: the session alone decides how long a payload lives.
                _frames.Clear();
                _segments.Clear();
                // A long burst moves to the thread pool rather than hold the thread that started it
                // (an actor's) for more than a batch's worth of bytes.
                if ((inline += bytes) >= MaxBatchBytes)
                {
                    inline = 0;
                    onCaller = false;
                    await Task.CompletedTask.ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
                }
            }
        }
        catch (Exception e)
        {
            failure = e;
        }
        _frames.Clear();
        _segments.Clear();
        Close(failure);
        WriterExited();
    }

    /// <summary>
    /// Moves queued frames into the batch (<see cref="_frames"/>, <see cref="_segments"/>) up to the batch
    /// limits; returns its bytes, or -1 when the queue was empty.
    /// </summary>
    private long TakeBatch()
    {
        if (!_queue.TryDequeue(out var frame)) return -1;
        var bytes = 0L;
        var fuzzing = _context.Fuzzing;
        OutboundFrame? held = null;
        while (true)
        {
            // Confirmed meanwhile (through Akka.Remote): the receiver has it.
            if (frame.Seq > _peer.Confirmed)
            {
                frame.Encode(_context, gather: true);
                var fault = fuzzing?.Next() ?? Fault.None;
                if (fault == Fault.Drop) frame.SentAt = Environment.TickCount64;
                else if (fault == Fault.Delay) Requeue(frame, fuzzing!.NextDelay());
                else if (fault == Fault.Reorder && held is null) held = frame;
                else
                {
                    bytes += Add(frame);
                    if (fault == Fault.Duplicate) bytes += Add(frame);
                    if (held is not null && !ReferenceEquals(held, frame))
                    {
                        bytes += Add(held);
                        held = null;
                    }
                }
            }
            if (bytes >= MaxBatchBytes || _frames.Count + 2 >= MaxBatchFrames || _segments.Count + 3 * MaxSegmentsPerFrame > MaxSegments
                || !_queue.TryDequeue(out frame!)) break;
        }
        if (held is not null) bytes += Add(held);
        return bytes;
    }

    /// <summary>
    /// Writes a batch's pieces through TLS as few, large records: small pieces copied into one
    /// pooled buffer, large ones written from their own arrays.
    /// </summary>
    private static async ValueTask WriteTlsAsync(SslStream tls, List<ArraySegment<byte>> segments, long bytes)
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
                    if (used > 0) await tls.WriteAsync(buffer.AsMemory(0, used)).ConfigureAwait(false);
                    used = 0;
                    if (direct)
                    {
                        await tls.WriteAsync(segment.AsMemory()).ConfigureAwait(false);
                        continue;
                    }
                }
                segment.AsSpan().CopyTo(buffer.AsSpan(used));
                used += segment.Count;
            }
            if (used > 0) await tls.WriteAsync(buffer.AsMemory(0, used)).ConfigureAwait(false);
            await tls.FlushAsync().ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private long Add(OutboundFrame frame)
    {
        _frames.Add(frame);
        frame.AddSegments(_segments);
        return frame.Header.Length + frame.BodyLength;
    }

    /// <summary>Fault injection: writes <paramref name="frame"/> later, out of order. Lost if the connection closed meanwhile: its session then resends it.</summary>
    private void Requeue(OutboundFrame frame, TimeSpan delay) =>
        _ = Task.Delay(delay).ContinueWith(_ =>
        {
            if (TryEnqueue(frame)) Pump();
        }, TaskScheduler.Default);

    private void AckLoop()
    {
        Exception? failure;
        try
        {
            var reader = _tls is null ? new SocketReader(_socket, 4096) : null;
            Span<byte> ack = stackalloc byte[8];
            while (true)
            {
                // SslStream allows one reader beside one writer: this thread is the reader.
                if (reader is not null) reader.ReadExactly(ack);
                else _tls!.ReadExactly(ack);
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

    private void WriterExited()
    {
        if (Interlocked.Exchange(ref _writerExited, 1) == 0) Exited();
    }

    /// <summary>The writes or the acknowledgement loop ended (after <see cref="Close(Exception?)"/>); the last one releases the TLS stream, which neither uses any more.</summary>
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
        }
        // No pump runs: none will (the connection is closed), so the writes are over. Otherwise the
        // running pump sees the connection closed and ends them.
        if (Interlocked.CompareExchange(ref _writing, 1, 0) == 0) WriterExited();
        LaneListener.Abort(_socket);
        _closed(this, failure);
    }
}
