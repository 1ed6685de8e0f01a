using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Event;
using Palm.Messages.Internal;

namespace Palm.Transport.Internal;

/// <summary>
/// The receiving side of every session with this actor system: turns envelopes, whether a lane
/// connection or Akka.Remote carried them, back into messages for their local targets, each exactly
/// once and in the session's order. Envelope <c>last + 1</c> is delivered (and with it whatever it
/// unblocks); one at or below <c>last</c> is a duplicate (dropped, counted, still confirmed); one
/// further ahead waits in a small per-session reorder buffer until the gap fills, or is dropped past
/// its bounds (the sender sends it again). What is confirmed is always <c>last</c>: cumulative.
/// </summary>
/// <remarks>
/// The lane listener calls <see cref="Accept"/> for each frame and writes what it returns back as the
/// acknowledgement, and <see cref="ConnectionOpened"/>/<see cref="ConnectionClosed"/> around each
/// connection; the lane actor calls <see cref="Resume"/> and <see cref="Accept"/> for envelopes that
/// came through Akka.Remote.
/// </remarks>
internal sealed class LaneInbox(ExtendedActorSystem system, PalmSerializer serializer, ILoggingAdapter log, int reorderFrames = 256, long reorderBytes = 16 << 20)
{
    private const int MaxCachedRefs = 10_000;

    /// <summary>A session with no open connection and no envelope for this long is forgotten.</summary>
    public static readonly TimeSpan ForgetAfter = TimeSpan.FromMinutes(10);

    private readonly ConcurrentDictionary<Guid, Session> _sessions = new();
    private readonly ConcurrentDictionary<string, IActorRef> _refs = new();
    private long _delivered;
    private long _duplicates;
    private long _held;
    private long _overflowed;

    /// <summary>Envelopes delivered to their targets.</summary>
    public long Delivered => Interlocked.Read(ref _delivered);

    /// <summary>Envelopes dropped because the same one had already been delivered (or was already held).</summary>
    public long Duplicates => Interlocked.Read(ref _duplicates);

    /// <summary>Envelopes that arrived ahead of a gap and were held until it filled.</summary>
    public long Held => Interlocked.Read(ref _held);

    /// <summary>Envelopes that arrived ahead of a gap and were dropped because the reorder buffer was full.</summary>
    public long Overflowed => Interlocked.Read(ref _overflowed);

    /// <summary>Sessions this inbox keeps progress of.</summary>
    public int Sessions => _sessions.Count;

    /// <summary>
    /// Takes envelope <paramref name="seq"/> of session <paramref name="lane"/>: delivers it (and any it
    /// unblocks) if it is next, holds it if it is ahead, drops it if it was delivered. Returns what the
    /// receiver may acknowledge to the sender: the highest sequence number of that session delivered
    /// in order.
    /// </summary>
    public long Accept(Guid lane, long seq, string manifest, string target, string? sender, byte[] body)
    {
        var session = Touch(lane);
        lock (session)
        {
            if (seq <= session.Last || session.Ahead.ContainsKey(seq))
            {
                Interlocked.Increment(ref _duplicates);
                return session.Last;
            }
        }

        // Read outside the lock: a connection's reader and the lane actor may accept for one session at once.
        var message = Read(lane, seq, manifest, target, body);

        lock (session)
        {
            if (seq <= session.Last || session.Ahead.ContainsKey(seq))
            {
                Interlocked.Increment(ref _duplicates);
            }
            else if (seq == session.Last + 1)
            {
                // Delivered under the lock: the next envelope of the session cannot overtake it.
                Deliver(message, target, sender);
                session.Last = seq;
                Drain(session);
            }
            else if (session.Ahead.Count < reorderFrames && session.AheadBytes + body.Length <= reorderBytes)
            {
                session.Ahead[seq] = new HeldEnvelope(message, target, sender, body.Length);
                session.AheadBytes += body.Length;
                Interlocked.Increment(ref _held);
            }
            else
            {
                Interlocked.Increment(ref _overflowed);
            }
            return session.Last;
        }
    }

    /// <summary>
    /// The sender of session <paramref name="lane"/> says the receiver confirmed up to
    /// <paramref name="confirmed"/>. Only a session this inbox forgot (idle for long) is behind that;
    /// it continues from there. Returns what the receiver may acknowledge.
    /// </summary>
    public long Resume(Guid lane, long confirmed)
    {
        var session = Touch(lane);
        lock (session)
        {
            if (confirmed > session.Last)
            {
                session.Last = confirmed;
                foreach (var seq in session.Ahead.Keys.Where(s => s <= confirmed).ToList())
                {
                    session.AheadBytes -= session.Ahead[seq].Bytes;
                    session.Ahead.Remove(seq);
                }
                Drain(session);
            }
            return session.Last;
        }
    }

    /// <summary>The highest sequence number of <paramref name="lane"/> delivered in order (0 for an unknown session).</summary>
    public long Confirmed(Guid lane) => _sessions.TryGetValue(lane, out var session) ? Volatile.Read(ref session.Last) : 0;

    /// <summary>A connection of session <paramref name="lane"/> completed its handshake (the listener calls this).</summary>
    public void ConnectionOpened(Guid lane)
    {
        var session = Touch(lane);
        lock (session) session.Connections++;
        ForgetIdleSessions();
    }

    /// <summary>A connection of session <paramref name="lane"/> closed (the listener calls this, also after a failed handshake).</summary>
    public void ConnectionClosed(Guid lane)
    {
        if (!_sessions.TryGetValue(lane, out var session)) return;
        lock (session)
        {
            session.Connections = Math.Max(0, session.Connections - 1);
            session.Touched = Environment.TickCount64;
        }
    }

    /// <summary>Forgets sessions with no open connection that were idle for <see cref="ForgetAfter"/>.</summary>
    public void ForgetIdleSessions() => ForgetIdleSessions(ForgetAfter);

    /// <summary>Forgets sessions with no open connection that were idle for <paramref name="idle"/>.</summary>
    internal void ForgetIdleSessions(TimeSpan idle)
    {
        var now = Environment.TickCount64;
        foreach (var (lane, session) in _sessions)
        {
            lock (session)
            {
                if (session.Connections > 0 || now - session.Touched < idle.TotalMilliseconds) continue;
                session.Forgotten = true;
            }
            _sessions.TryRemove(new KeyValuePair<Guid, Session>(lane, session));
        }
    }

    /// <summary>The session, marked as active just now (so it is not forgotten for a while).</summary>
    private Session Touch(Guid lane)
    {
        while (true)
        {
            var session = _sessions.GetOrAdd(lane, static _ => new Session());
            lock (session)
            {
                // Forgotten while this thread got it: take a new one.
                if (session.Forgotten) continue;
                session.Touched = Environment.TickCount64;
                return session;
            }
        }
    }

    private void Drain(Session session)
    {
        while (session.Ahead.Remove(session.Last + 1, out var next))
        {
            session.AheadBytes -= next.Bytes;
            Deliver(next.Message, next.Target, next.Sender);
            session.Last++;
        }
    }

    /// <summary>The envelope's message; null when there is nothing to deliver (a skip frame, or bytes that cannot be read).</summary>
    private object? Read(Guid lane, long seq, string manifest, string target, byte[] body)
    {
        if (manifest == LaneFrame.SkipManifest) return null;
        try
        {
            return serializer.FromBinary(body, manifest);
        }
        catch (Exception e)
        {
            // What Akka.Remote does with a message it cannot read: log it and go on.
            log.Error(e, "Dropped envelope {0} of lane session {1} for {2}: it could not be read.", seq, lane, target);
            return null;
        }
    }

    private void Deliver(object? message, string target, string? sender)
    {
        if (message is null) return;
        Resolve(target).Tell(message, sender is null ? ActorRefs.NoSender : Resolve(sender));
        Interlocked.Increment(ref _delivered);
    }

    private IActorRef Resolve(string path)
    {
        if (_refs.TryGetValue(path, out var actor)) return actor;
        actor = system.Provider.ResolveActorRef(path);
        if (_refs.Count >= MaxCachedRefs) _refs.Clear();
        _refs[path] = actor;
        return actor;
    }

    private sealed record HeldEnvelope(object? Message, string Target, string? Sender, int Bytes);

    private sealed class Session
    {
        public long Last;
        public long Touched = Environment.TickCount64;
        public int Connections;
        public bool Forgotten;
        public readonly Dictionary<long, HeldEnvelope> Ahead = [];
        public long AheadBytes;
    }
}
