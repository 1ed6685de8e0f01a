using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Event;
using Palm.Messages.Internal;

namespace Palm.Transport.Internal;

/// <summary>
/// One outbound lane: envelopes queued by any thread are serialized and written by a writer thread of
/// its own, many per system call. Every frame stays in <c>_unconfirmed</c> until the receiver
/// acknowledges it; when the connection breaks, what was not acknowledged (and what was still queued)
/// is sent again through Akka.Remote to the receiver's lane actor, which drops what it had already
/// delivered. Nothing is lost while both systems live, and nothing is delivered twice.
/// </summary>
internal sealed class LaneConnection
{
    private const int MaxBatchBytes = 1024 * 1024;
    private const int MaxBatchFrames = 32;
    // Payloads of at least GatherMinBytes are written to the socket from their own arrays (up to
    // GatherMaxPayloads per envelope); a system call takes at most MaxSegments pieces.
    private const int GatherMinBytes = 8 * 1024;
    private const int GatherMaxPayloads = 16;
    private const int MaxSegments = 256;
    private const int MaxSegmentsPerFrame = 2 * GatherMaxPayloads + 2;

    private readonly Socket _socket;
    private readonly IActorRef _remoteLane;
    private readonly LaneContext _context;
    private readonly Action<LaneConnection, Exception?> _closed;
    private readonly BlockingCollection<OutboundFrame> _queue = new(new ConcurrentQueue<OutboundFrame>());
    private readonly Queue<OutboundFrame> _unconfirmed = new();
    private readonly Lock _gate = new();
    private long _nextSeq;
    private bool _isClosed;

    private LaneConnection(Socket socket, IActorRef remoteLane, LaneContext context, Action<LaneConnection, Exception?> closed)
    {
        _socket = socket;
        _remoteLane = remoteLane;
        _context = context;
        _closed = closed;
        new Thread(WriteLoop) { IsBackground = true, Name = "palm-lane-out" }.Start();
        new Thread(AckLoop) { IsBackground = true, Name = "palm-lane-ack" }.Start();
    }

    /// <summary>This connection's id: the receiver tells its frames apart from other lanes' by it.</summary>
    public Guid Id { get; } = Guid.NewGuid();

    /// <summary>Whether the connection is closed (broken, or its system stopping).</summary>
    public bool IsClosed
    {
        get
        {
            lock (_gate) return _isClosed;
        }
    }

    /// <summary>Frames written but not yet acknowledged by the receiver.</summary>
    public int Unconfirmed
    {
        get
        {
            lock (_gate) return _unconfirmed.Count;
        }
    }

    /// <summary>Connects to a peer's lane at <paramref name="host"/>:<paramref name="port"/> and says hello.</summary>
    public static async Task<LaneConnection> OpenAsync(string host, int port, IActorRef remoteLane, LaneContext context, Action<LaneConnection, Exception?> closed)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            LaneListener.Configure(socket, context.Settings);
            using var timeout = new CancellationTokenSource(context.Settings.ConnectTimeout);
            await socket.ConnectAsync(host, port, timeout.Token).ConfigureAwait(false);
            var connection = new LaneConnection(socket, remoteLane, context, closed);
            socket.Send(LaneFrame.Handshake(connection.Id));
            return connection;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Queues <paramref name="message"/> for <paramref name="target"/>; false once the connection is closed.</summary>
    public bool TryEnqueue(IActorRef target, object message, IActorRef? sender)
    {
        var frame = new OutboundFrame(target, message, sender);
        lock (_gate)
        {
            if (_isClosed) return false;
            // Sequence numbers follow queue order: the receiver's "highest delivered" test relies on it.
            frame.Seq = ++_nextSeq;
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
                frames.Clear();
                segments.Clear();
                var bytes = 0L;
                var frame = first;
                while (true)
                {
                    if (Encode(frame))
                    {
                        frames.Add(frame);
                        segments.Add(frame.Header!);
                        if (frame.Gather is { TakenBytes: > 0 } gather) segments.AddRange(gather.Segments(frame.Buffer!));
                        else segments.Add(frame.Buffer!);
                        bytes += frame.Header!.Length + frame.BodyLength;
                    }
                    if (bytes >= MaxBatchBytes || frames.Count >= MaxBatchFrames || segments.Count + MaxSegmentsPerFrame > MaxSegments
                        || !_queue.TryTake(out frame!)) break;
                }
                if (frames.Count == 0) continue;
                lock (_gate)
                    foreach (var f in frames) _unconfirmed.Enqueue(f);
                if (_socket.Send(segments) != bytes)
                    throw new IOException("The socket took only part of a lane write.");
                Interlocked.Add(ref _context.Counters.Sent, frames.Count);
            }
        }
        catch (Exception e)
        {
            failure = e;
        }
        Close(failure);
        ResendUnconfirmed();
    }

    /// <summary>Serializes a frame on this thread; a message the lane cannot carry goes through Akka.Remote instead.</summary>
    private bool Encode(OutboundFrame frame)
    {
        if (frame.Buffer is not null) return true;
        try
        {
            var gather = new Gather(GatherMinBytes, GatherMaxPayloads);
            var buffer = _context.Serializer.ToBinary(frame.Message, gather);
            var bodyLength = buffer.Length + gather.TakenBytes;
            if (bodyLength > _context.MaxBodyBytes)
            {
                // Akka.Remote refuses it the same way it always did (with its own log line).
                frame.Target.Tell(frame.Message, frame.Sender);
                return false;
            }
            frame.Manifest = _context.Serializer.Manifest(frame.Message);
            frame.TargetPath = LaneFrame.PathOf(frame.Target)!;
            frame.SenderPath = LaneFrame.PathOf(frame.Sender);
            frame.Buffer = buffer;
            frame.Gather = gather;
            frame.BodyLength = (int)bodyLength;
            frame.Header = LaneFrame.Header(frame.Seq, frame.Manifest, frame.TargetPath, frame.SenderPath, frame.BodyLength);
            return true;
        }
        catch (Exception e)
        {
            _context.Log.Error(e, "Palm lane: could not serialize a {0} for {1}; sending it through Akka.Remote.", frame.Message.GetType().Name, frame.Target.Path);
            frame.Target.Tell(frame.Message, frame.Sender);
            return false;
        }
    }

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
                lock (_gate)
                    while (_unconfirmed.Count > 0 && _unconfirmed.Peek().Seq <= confirmed) _unconfirmed.Dequeue();
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
        }
        _queue.CompleteAdding();
        LaneListener.Abort(_socket);
        _closed(this, failure);
    }

    /// <summary>Runs on the writer thread once the connection is closed and nothing more can be queued.</summary>
    private void ResendUnconfirmed()
    {
        if (_context.Stopping()) return;
        List<OutboundFrame> left;
        lock (_gate)
        {
            left = [.. _unconfirmed];
            _unconfirmed.Clear();
        }
        while (_queue.TryTake(out var queued)) left.Add(queued);
        foreach (var frame in left)
            if (Encode(frame))
                _remoteLane.Tell(new LaneResend(Id, frame.Seq, frame.Manifest!, frame.TargetPath!, frame.SenderPath, frame.Body()));
        Interlocked.Add(ref _context.Counters.Resent, left.Count);
        if (left.Count > 0)
            _context.Log.Info("Palm lane {0} to {1} closed with {2} envelopes unconfirmed; sent them through Akka.Remote.", Id, _remoteLane.Path.Address, left.Count);
    }

    private sealed class OutboundFrame(IActorRef target, object message, IActorRef? sender)
    {
        public IActorRef Target { get; } = target;
        public object Message { get; } = message;
        public IActorRef? Sender { get; } = sender;
        public long Seq { get; set; }
        public string? Manifest { get; set; }
        public string? TargetPath { get; set; }
        public string? SenderPath { get; set; }
        public byte[]? Header { get; set; }
        public byte[]? Buffer { get; set; }
        public Gather? Gather { get; set; }
        public int BodyLength { get; set; }

        /// <summary>The body in one array, as the receiver reads it (only for a resend: it copies gathered payloads).</summary>
        public byte[] Body()
        {
            if (Gather is not { TakenBytes: > 0 } gather) return Buffer!;
            var body = new byte[BodyLength];
            var at = 0;
            foreach (var segment in gather.Segments(Buffer!))
            {
                segment.AsSpan().CopyTo(body.AsSpan(at));
                at += segment.Count;
            }
            return body;
        }
    }
}

/// <summary>What every lane connection of one system shares.</summary>
internal sealed record LaneContext(LaneSettings Settings, PalmSerializer Serializer, int MaxBodyBytes, ILoggingAdapter Log, Func<bool> Stopping, LaneCounters Counters);

/// <summary>Totals over every lane connection a system opened.</summary>
internal sealed class LaneCounters
{
    /// <summary>Frames written to lane sockets.</summary>
    public long Sent;

    /// <summary>Frames sent again through Akka.Remote after their connection broke before confirming them.</summary>
    public long Resent;

    /// <summary>Connections opened.</summary>
    public long Opened;
}
