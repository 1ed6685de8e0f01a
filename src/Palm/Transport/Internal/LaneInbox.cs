using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Event;
using Palm.Diagnostics;

namespace Palm.Transport.Internal;

/// <summary>
/// The receiving side of every session with this actor system: turns envelopes, whichever way they came, back into messages
/// for local targets, each exactly once and in the session's order. It trusts who the peer is, never what an envelope
/// claims (docs/internals.md#laneinbox).
/// </summary>
internal sealed class LaneInbox(ExtendedActorSystem system, IEnvelopeSerializer serializer, LaneReceivers receivers, ILoggingAdapter log, int reorderFrames = 256, long reorderBytes = 16 << 20)
{
    private const int MaxCachedRefs = 10_000;
    private const int MaxQuotedChars = 200;

    /// <summary>What <see cref="Accept"/> and <see cref="Resume"/> return for a session that belongs to another system.</summary>
    public const long Refused = -1;

    /// <summary>A session with no open connection and no envelope for this long is forgotten.</summary>
    public static readonly TimeSpan ForgetAfter = TimeSpan.FromMinutes(10);

    private readonly ConcurrentDictionary<Guid, Session> _sessions = new();
    private readonly ConcurrentDictionary<string, PathInfo> _paths = new();
    private long _pathsVersion;
    private long _delivered;
    private long _refusedFrames;
    private long _refusedSessions;
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

    /// <summary>Envelopes dropped because their sender was not an actor of the system that sent them, or their target not a local Palm actor.</summary>
    public long RefusedFrames => Interlocked.Read(ref _refusedFrames);

    /// <summary>Batches, connections and envelopes refused because they named a session of another system.</summary>
    public long RefusedSessions => Interlocked.Read(ref _refusedSessions);

    /// <summary>Sessions this inbox keeps progress of.</summary>
    public int Sessions => _sessions.Count;

    /// <summary>The secrets this system handed out for lane handshakes, and to whom.</summary>
    public LaneIdentities Identities { get; } = new();

    /// <summary>Reports what peers and strangers send that is refused, at a bounded rate.</summary>
    internal RateLimitedLog Refusals { get; } = new(log, RateLimitedLog.StrangerInterval);

    /// <summary>
    /// Takes envelope <paramref name="seq"/> of session <paramref name="lane"/>, sent by the system at <paramref name="peer"/>.
    /// Returns what may be acknowledged, the highest sequence number of that session delivered in order, or
    /// <see cref="Refused"/> when the session belongs to another system (docs/internals.md#laneinbox).
    /// </summary>
    public long Accept(Address peer, Guid lane, long seq, string manifest, string target, string? sender, byte[] body)
    {
        var session = Touch(peer, lane);
        if (session is null) return Refused;
        lock (session)
        {
            if (seq <= session.Last || session.Ahead.ContainsKey(seq))
            {
                Interlocked.Increment(ref _duplicates);
                return session.Last;
            }
        }

        // Read outside the lock: a connection's reader and the lane actor may accept for one session at once.
        // An envelope refused is read as nothing to deliver: it keeps its place in the sequence.
        var message = Admit(peer, lane, target, sender, out var to, out var from) ? Read(lane, seq, manifest, target, body) : null;

        lock (session)
        {
            if (seq <= session.Last || session.Ahead.ContainsKey(seq))
            {
                Interlocked.Increment(ref _duplicates);
            }
            else if (seq == session.Last + 1)
            {
                // Delivered under the lock: the next envelope of the session cannot overtake it.
                Deliver(message, to, from);
                session.Last = seq;
                Drain(session);
            }
            else if (session.Ahead.Count < reorderFrames && session.AheadBytes + body.Length <= reorderBytes)
            {
                session.Ahead[seq] = new HeldEnvelope(message, to, from, body.Length);
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
    /// The sender of session <paramref name="lane"/>, the system at <paramref name="peer"/>, says the
    /// receiver confirmed up to <paramref name="confirmed"/>. Only a session this inbox forgot (idle for
    /// long) is behind that; it continues from there. Returns what the receiver may acknowledge;
    /// <see cref="Refused"/> when the session belongs to another system.
    /// </summary>
    public long Resume(Address peer, Guid lane, long confirmed)
    {
        var session = Touch(peer, lane);
        if (session is null) return Refused;
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

    /// <summary>
    /// A connection of session <paramref name="lane"/> from the system at <paramref name="peer"/>
    /// completed its handshake (the listener calls this); false when the session belongs to another
    /// system (the connection is then refused, and <see cref="ConnectionClosed"/> not called).
    /// </summary>
    public bool ConnectionOpened(Address peer, Guid lane)
    {
        var session = Touch(peer, lane);
        if (session is null) return false;
        lock (session) session.Connections++;
        ForgetIdleSessions();
        return true;
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

    /// <summary>Forgets sessions with no open connection that were idle for <paramref name="idle"/> (default <see cref="ForgetAfter"/>).</summary>
    public void ForgetIdleSessions(TimeSpan? idle = null)
    {
        var now = Environment.TickCount64;
        var idleMs = (idle ?? ForgetAfter).TotalMilliseconds;
        foreach (var (lane, session) in _sessions)
        {
            lock (session)
            {
                if (session.Connections > 0 || now - session.Touched < idleMs) continue;
                session.Forgotten = true;
            }
            _sessions.TryRemove(new KeyValuePair<Guid, Session>(lane, session));
        }
    }

    /// <summary>
    /// The session, marked as active just now (so it is not forgotten for a while); a new one belongs
    /// to <paramref name="peer"/>. Null (counted, logged) when it belongs to another system: a stranger
    /// must not move another system's session ahead, nor hold its envelopes.
    /// </summary>
    private Session? Touch(Address peer, Guid lane)
    {
        while (true)
        {
            var session = _sessions.GetOrAdd(lane, static (_, owner) => new Session(owner), peer);
            lock (session)
            {
                // Forgotten while this thread got it: take a new one.
                if (session.Forgotten) continue;
                if (!session.Owner.Equals(peer))
                {
                    Interlocked.Increment(ref _refusedSessions);
                    Refusals.Log(LogLevel.WarningLevel, "lane-session", "Palm lane: refused envelopes from {0} for lane session {1}, which belongs to {2}.",
                        peer, lane, session.Owner);
                    return null;
                }
                session.Touched = Environment.TickCount64;
                return session;
            }
        }
    }

    /// <summary>A batch of session <paramref name="lane"/> came through Akka.Remote without a sender of another system: refused (counted, logged).</summary>
    public void RefuseUnaddressed(Guid lane)
    {
        Interlocked.Increment(ref _refusedSessions);
        Refusals.Log(LogLevel.WarningLevel, "lane-batch", "Palm lane: refused a batch of lane session {0} that has no sender of another system.", lane);
    }

    /// <summary>
    /// Whether an envelope <paramref name="peer"/> sent for <paramref name="target"/> as <paramref name="sender"/> may be
    /// delivered: lanes do not relay, and a sender's address is only as good as this check (docs/internals.md#laneinbox).
    /// </summary>
    private bool Admit(Address peer, Guid lane, string target, string? sender, out IActorRef to, out IActorRef? from)
    {
        to = ActorRefs.Nobody;
        from = null;
        var targetInfo = Lookup(target);
        if (!targetInfo.PalmActor)
        {
            Interlocked.Increment(ref _refusedFrames);
            Refusals.Log(LogLevel.WarningLevel, "lane-target", "Palm lane: dropped an envelope of session {0} from {1} for {2}: lanes deliver only to this system's Palm servers, workers and clients.",
                lane, peer, Quote(target));
            return false;
        }
        var senderInfo = sender is null ? null : Lookup(sender);
        if (senderInfo is not null && !peer.Equals(senderInfo.Address))
        {
            Interlocked.Increment(ref _refusedFrames);
            Refusals.Log(LogLevel.WarningLevel, "lane-sender", "Palm lane: dropped an envelope of session {0} from {1} claiming to be sent by {2}, an actor of another system.",
                lane, peer, Quote(sender!));
            return false;
        }
        // Resolved only once admitted: a path a stranger made up is never looked up.
        to = targetInfo.Resolve(system);
        from = senderInfo?.Resolve(system);
        return true;
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

    private void Deliver(object? message, IActorRef target, IActorRef? sender)
    {
        if (message is null) return;
        target.Tell(message, sender);
        Interlocked.Increment(ref _delivered);
    }

    /// <summary>What a path a peer sent names: parsed once, then cached (a bounded cache).</summary>
    private PathInfo Lookup(string path)
    {
        var version = receivers.Version;
        if (version != Volatile.Read(ref _pathsVersion))
        {
            // A receiver came or went: answers cached before may be wrong now.
            _paths.Clear();
            Volatile.Write(ref _pathsVersion, version);
        }
        if (_paths.TryGetValue(path, out var info)) return info;
        info = ActorPath.TryParse(path, out var parsed) ? new PathInfo(parsed, IsPalmActor(parsed)) : new PathInfo(null, false);
        if (_paths.Count >= MaxCachedRefs) _paths.Clear();
        _paths[path] = info;
        return info;
    }

    /// <summary>Whether <paramref name="path"/> is an actor lanes carry envelopes to: of this system, and registered (<see cref="LaneReceivers"/>).</summary>
    private bool IsPalmActor(ActorPath path) => path.Address.Equals(system.Provider.DefaultAddress) && receivers.Contains(path);

    private static string Quote(string path) => path.Length <= MaxQuotedChars ? path : path[..MaxQuotedChars] + "...";

    /// <summary>A parsed path, and once needed the actor it names.</summary>
    private sealed class PathInfo(ActorPath? path, bool palmActor)
    {
        private IActorRef? _actor;

        public Address? Address => path?.Address;

        /// <summary>Whether it is one of this system's actors lanes deliver to.</summary>
        public bool PalmActor => palmActor;

        public IActorRef Resolve(ExtendedActorSystem system) =>
            _actor ??= path is null ? ActorRefs.Nobody : system.Provider.ResolveActorRef(path);
    }

    private sealed record HeldEnvelope(object? Message, IActorRef Target, IActorRef? Sender, int Bytes);

    private sealed class Session(Address owner)
    {
        /// <summary>The system the session belongs to: the one that used it first.</summary>
        public readonly Address Owner = owner;
        public long Last;
        public long Touched = Environment.TickCount64;
        public int Connections;
        public bool Forgotten;
        public readonly Dictionary<long, HeldEnvelope> Ahead = [];
        public long AheadBytes;
    }
}
