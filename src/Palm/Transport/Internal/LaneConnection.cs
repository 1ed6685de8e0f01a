using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net.Sockets;

namespace Palm.Transport.Internal;

/// <summary>
/// One outbound lane connection of a session: frames queued by any thread are serialized and written
/// by a writer thread of its own, many per system call, and the receiver's cumulative
/// acknowledgements confirm them in the session (<see cref="LanePeer.Confirm"/>). The connection
/// keeps nothing: the session holds every frame until it is confirmed, and when the connection
/// breaks, its session actor sends what it had not confirmed through Akka.Remote.
/// </summary>
internal sealed class LaneConnection
{
    private const int MaxBatchBytes = 1024 * 1024;
    private const int MaxBatchFrames = 32;
    // A system call takes at most MaxSegments pieces; one frame has at most MaxSegmentsPerFrame
    // (header, and two per gathered payload plus the buffer's last piece).
    private const int MaxSegments = 256;
    private const int MaxSegmentsPerFrame = 2 * 16 + 2;

    private readonly Socket _socket;
    private readonly LanePeer _peer;
    private readonly LaneContext _context;
    private readonly Action<LaneConnection, Exception?> _closed;
    private readonly BlockingCollection<OutboundFrame> _queue = new(new ConcurrentQueue<OutboundFrame>());
    private readonly Lock _gate = new();
    private volatile bool _isClosed;

    private LaneConnection(Socket socket, LanePeer peer, LaneContext context, Action<LaneConnection, Exception?> closed)
    {
        _socket = socket;
        _peer = peer;
        _context = context;
        _closed = closed;
        new Thread(WriteLoop) { IsBackground = true, Name = "palm-lane-out" }.Start();
        new Thread(AckLoop) { IsBackground = true, Name = "palm-lane-ack" }.Start();
    }

    /// <summary>The session this connection carries frames of (its handshake names it).</summary>
    public Guid Session => _peer.Session;

    /// <summary>Whether the connection is closed (broken, or its system stopping).</summary>
    public bool IsClosed => _isClosed;

    /// <summary>
    /// Connects to a peer's lane at <paramref name="host"/>:<paramref name="port"/>, names
    /// <paramref name="peer"/>'s session and presents <paramref name="secret"/>, which the peer's lane
    /// actor handed this system (<see cref="LaneEndpoint.Secret"/>).
    /// </summary>
    public static async Task<LaneConnection> OpenAsync(string host, int port, Guid secret, LanePeer peer, LaneContext context, Action<LaneConnection, Exception?> closed)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            LaneListener.Configure(socket, context.Settings);
            using var timeout = new CancellationTokenSource(context.Settings.ConnectTimeout);
            await socket.ConnectAsync(host, port, timeout.Token).ConfigureAwait(false);
            await socket.SendAsync(LaneFrame.Handshake(peer.Session, secret), timeout.Token).ConfigureAwait(false);
            return new LaneConnection(socket, peer, context, closed);
        }
        catch
        {
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
                if (frames.Count == 0) continue;
                if (_socket.Send(segments) != bytes)
                    throw new IOException("The socket took only part of a lane write.");
                var now = Environment.TickCount64;
                foreach (var f in frames) f.SentAt = now;
                Interlocked.Add(ref _context.Counters.Sent, frames.Count);
            }
        }
        catch (Exception e)
        {
            failure = e;
        }
        Close(failure);
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
            var reader = new SocketReader(_socket, 4096);
            Span<byte> ack = stackalloc byte[8];
            while (true)
            {
                reader.ReadExactly(ack);
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
