using Akka.Actor;

namespace Palm.Transport.Internal;

/// <summary>How <see cref="LanePeer.Send"/> sent an envelope.</summary>
internal enum SendResult
{
    /// <summary>Queued on the open lane connection.</summary>
    Lane,

    /// <summary>Handed to the session actor, which sends it through Akka.Remote.</summary>
    Remote,

    /// <summary>Not taken: the session ended (its peer is gone); the caller uses a new one.</summary>
    Ended,
}

/// <summary>
/// The sending side of one session with one remote actor system: every envelope is kept until the receiver confirms it, and
/// goes on the lane when it is up, through Akka.Remote otherwise. The windows bound its memory (docs/internals.md#lanepeer).
/// </summary>
internal sealed class LanePeer(Address address, IActorRef remoteLane, LaneCounters counters)
{
    private readonly Lock _gate = new();
    private readonly Queue<OutboundFrame> _pending = new();
    private readonly Queue<OutboundFrame> _unsent = new();
    private long _nextSeq;
    private long _confirmed;
    private bool _ended;
    private int _flushRequested;
    private LaneConnection? _connection;
    private int _connecting;
    private long _retryAt;
    private long _failures;

    public Address Address { get; } = address;

    /// <summary>The peer's lane actor (<c>/system/palm-lane</c>): Akka.Remote's way in, and what the session watches.</summary>
    public IActorRef RemoteLane { get; } = remoteLane;

    /// <summary>The session's id: the receiver keeps its progress under it.</summary>
    public Guid Session { get; } = Guid.NewGuid();

    /// <summary>The session actor (set once, right after creation).</summary>
    public IActorRef Actor { get; set; } = ActorRefs.Nobody;

    public LaneConnection? Connection => Volatile.Read(ref _connection);

    /// <summary>The highest sequence number the receiver confirmed.</summary>
    public long Confirmed => Volatile.Read(ref _confirmed);

    /// <summary>Envelopes sent and not yet confirmed.</summary>
    public int Unconfirmed
    {
        get
        {
            lock (_gate) return _pending.Count;
        }
    }

    /// <summary>
    /// Gives <paramref name="message"/> the session's next sequence number and sends it: on the open
    /// connection when <paramref name="lane"/> allows it, through Akka.Remote otherwise.
    /// </summary>
    public SendResult Send(IActorRef target, object message, IActorRef? sender, bool lane)
    {
        var frame = new OutboundFrame(target, message, sender);
        lock (_gate)
        {
            if (_ended) return SendResult.Ended;
            frame.Seq = ++_nextSeq;
            _pending.Enqueue(frame);
            if (lane && _connection is { } connection)
            {
                frame.Connection = connection;
                if (connection.TryEnqueue(frame)) return SendResult.Lane;
                frame.Connection = null;
            }
            _unsent.Enqueue(frame);
        }
        if (Interlocked.Exchange(ref _flushRequested, 1) == 0) Actor.Tell(LaneFlush.Instance);
        return SendResult.Remote;
    }

    /// <summary>The receiver delivered everything up to <paramref name="upTo"/>: forget it.</summary>
    public void Confirm(long upTo)
    {
        if (upTo <= Volatile.Read(ref _confirmed)) return;
        var confirmed = 0;
        lock (_gate)
        {
            // A receiver cannot confirm what was never sent; a larger number is not from this session.
            upTo = Math.Min(upTo, _nextSeq);
            if (upTo <= _confirmed) return;
            Volatile.Write(ref _confirmed, upTo);
            while (_pending.Count > 0 && _pending.Peek().Seq <= upTo)
            {
                _pending.Dequeue().Release();
                confirmed++;
            }
        }
        Interlocked.Add(ref counters.Confirmed, confirmed);
    }

    /// <summary>Envelopes no connection took, in order (for the session actor).</summary>
    public List<OutboundFrame> TakeUnsent()
    {
        lock (_gate)
        {
            // Cleared first: a send after this lock requests a flush of its own.
            Volatile.Write(ref _flushRequested, 0);
            var frames = new List<OutboundFrame>(_unsent.Count);
            while (_unsent.TryDequeue(out var frame))
                if (frame.Seq > _confirmed) frames.Add(frame);
            return frames;
        }
    }

    /// <summary>Unconfirmed envelopes that were queued on <paramref name="connection"/>, in order.</summary>
    public List<OutboundFrame> TakeOf(LaneConnection connection)
    {
        lock (_gate) return _pending.Where(f => ReferenceEquals(f.Connection, connection)).ToList();
    }

    /// <summary>
    /// The oldest unconfirmed envelopes sent at least <paramref name="after"/> before <paramref name="nowMs"/>, and any a
    /// closed connection never wrote, in order, up to about <paramref name="maxBytes"/> of bodies.
    /// </summary>
    public List<OutboundFrame> TakeOverdue(long nowMs, TimeSpan after, long maxBytes)
    {
        var due = nowMs - (long)after.TotalMilliseconds;
        var frames = new List<OutboundFrame>();
        var bytes = 0L;
        lock (_gate)
        {
            foreach (var frame in _pending)
            {
                var at = frame.SentAt;
                if (at != 0 ? at > due : frame.Connection is not { IsClosed: true }) continue;
                frames.Add(frame);
                if ((bytes += frame.BodyLength) >= maxBytes) break;
            }
        }
        return frames;
    }

    /// <summary>Ends the session: nothing more is sent. Returns how many envelopes it dropped unconfirmed.</summary>
    public int End()
    {
        LaneConnection? connection;
        int dropped;
        lock (_gate)
        {
            if (_ended) return 0;
            _ended = true;
            dropped = _pending.Count;
            Interlocked.Add(ref counters.Abandoned, dropped);
            while (_pending.TryDequeue(out var frame)) frame.Release();
            _unsent.Clear();
            connection = _connection;
            _connection = null;
        }
        connection?.Close();
        return dropped;
    }

    /// <summary>Counts a failed attempt to open the lane; returns how many failed so far.</summary>
    public long CountFailure() => Interlocked.Increment(ref _failures);

    /// <summary>Starts connecting unless a connection is up or being made, or the last failure is too recent.</summary>
    public void ConnectIfDue(Func<LanePeer, Task<LaneConnection>> open, Action<LanePeer, Exception> failed, TimeSpan retryAfter)
    {
        if (Connection is { IsClosed: false } || Environment.TickCount64 < Interlocked.Read(ref _retryAt)) return;
        if (Interlocked.CompareExchange(ref _connecting, 1, 0) != 0) return;
        _ = ConnectAsync(open, failed, retryAfter);
    }

    private async Task ConnectAsync(Func<LanePeer, Task<LaneConnection>> open, Action<LanePeer, Exception> failed, TimeSpan retryAfter)
    {
        try
        {
            var connection = await open(this).ConfigureAwait(false);
            bool ended;
            lock (_gate)
            {
                ended = _ended;
                // It may have broken already; then the next send tries again.
                if (!ended && !connection.IsClosed) _connection = connection;
            }
            if (ended) connection.Close();
            else Actor.Tell(new LaneConnectionOpened(connection));
        }
        catch (Exception e)
        {
            Interlocked.Exchange(ref _retryAt, Environment.TickCount64 + (long)retryAfter.TotalMilliseconds);
            failed(this, e);
        }
        finally
        {
            Volatile.Write(ref _connecting, 0);
        }
    }

    /// <summary>Called when <paramref name="connection"/> closed: the next try waits <paramref name="retryAfter"/>.</summary>
    public void Closed(LaneConnection connection, TimeSpan retryAfter)
    {
        Interlocked.Exchange(ref _retryAt, Environment.TickCount64 + (long)retryAfter.TotalMilliseconds);
        lock (_gate)
            if (ReferenceEquals(_connection, connection)) _connection = null;
        Actor.Tell(new LaneConnectionClosed(connection));
    }
}
