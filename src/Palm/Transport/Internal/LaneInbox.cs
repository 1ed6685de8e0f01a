using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Event;
using Palm.Messages.Internal;

namespace Palm.Transport.Internal;

/// <summary>
/// The receiving side of every lane of one actor system: turns frames back into messages for their
/// local targets. A frame can arrive twice, once on its connection and once resent through
/// Akka.Remote after the connection broke; each lane's highest delivered sequence number decides
/// which copy is delivered. Both arrive in sequence order, so every frame is delivered exactly once.
/// </summary>
internal sealed class LaneInbox(ExtendedActorSystem system, PalmSerializer serializer, ILoggingAdapter log)
{
    private const int MaxCachedRefs = 10_000;
    private static readonly TimeSpan ForgetAfter = TimeSpan.FromMinutes(10);

    private readonly ConcurrentDictionary<Guid, Progress> _lanes = new();
    private readonly ConcurrentDictionary<string, IActorRef> _refs = new();
    private long _delivered;
    private long _duplicates;

    /// <summary>Frames delivered to their targets.</summary>
    public long Delivered => Interlocked.Read(ref _delivered);

    /// <summary>Frames dropped because the same frame had already been delivered.</summary>
    public long Duplicates => Interlocked.Read(ref _duplicates);

    /// <summary>
    /// Delivers frame <paramref name="seq"/> of <paramref name="lane"/> unless it already was. Returns what the
    /// receiver may acknowledge to the sender: the highest sequence number of that lane it has delivered.
    /// </summary>
    public long Accept(Guid lane, long seq, string manifest, string target, string? sender, byte[] body)
    {
        var progress = _lanes.GetOrAdd(lane, static _ => new Progress());
        lock (progress)
        {
            progress.Touched = Environment.TickCount64;
            if (seq <= progress.Last)
            {
                Interlocked.Increment(ref _duplicates);
                return progress.Last;
            }
            progress.Last = seq;
        }

        object message;
        try
        {
            message = serializer.FromBinary(body, manifest);
        }
        catch (Exception e)
        {
            // What Akka.Remote does with a message it cannot read: log it and go on.
            log.Error(e, "Dropped lane frame {0} of lane {1} for {2}: it could not be read.", seq, lane, target);
            return seq;
        }
        Resolve(target).Tell(message, sender is null ? ActorRefs.NoSender : Resolve(sender));
        Interlocked.Increment(ref _delivered);
        return seq;
    }

    /// <summary>A connection of <paramref name="lane"/> completed its handshake (the listener calls this).</summary>
    public void ConnectionOpened(Guid lane) => ForgetIdleLanes();

    /// <summary>A connection of <paramref name="lane"/> closed (the listener calls this).</summary>
    public void ConnectionClosed(Guid lane)
    {
    }

    /// <summary>Forgets lanes silent for a long time (their connections are long gone, and so are their resends).</summary>
    public void ForgetIdleLanes()
    {
        var now = Environment.TickCount64;
        foreach (var (lane, progress) in _lanes)
            if (now - Volatile.Read(ref progress.Touched) > ForgetAfter.TotalMilliseconds) _lanes.TryRemove(lane, out _);
    }

    private IActorRef Resolve(string path)
    {
        if (_refs.TryGetValue(path, out var actor)) return actor;
        actor = system.Provider.ResolveActorRef(path);
        if (_refs.Count >= MaxCachedRefs) _refs.Clear();
        _refs[path] = actor;
        return actor;
    }

    private sealed class Progress
    {
        public long Last;
        public long Touched;
    }
}
