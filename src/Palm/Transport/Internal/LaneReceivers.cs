using System.Collections.Concurrent;
using Akka.Actor;

namespace Palm.Transport.Internal;

/// <summary>
/// The actors of this system that lanes deliver envelopes to: registered by whoever creates them (the
/// node for its servers and workers, a client for its client actor), not guessed from their names.
/// </summary>
internal sealed class LaneReceivers
{
    private readonly ConcurrentDictionary<string, int> _paths = new(StringComparer.Ordinal);
    private long _version;

    /// <summary>Grows on every change, so a cache of answers knows when to forget them.</summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>Lets lanes deliver to <paramref name="actor"/> until the result is disposed.</summary>
    public IDisposable Add(IActorRef actor)
    {
        var key = Key(actor.Path);
        _paths.AddOrUpdate(key, 1, (_, n) => n + 1);
        Interlocked.Increment(ref _version);
        return new Registration(this, key);
    }

    /// <summary>Whether <paramref name="path"/> (of this system) names a registered receiver.</summary>
    public bool Contains(ActorPath path) => _paths.ContainsKey(Key(path));

    private static string Key(ActorPath path) => path.ToStringWithoutAddress();

    private void Remove(string key)
    {
        while (_paths.TryGetValue(key, out var n))
        {
            if (n <= 1 ? _paths.TryRemove(new KeyValuePair<string, int>(key, n)) : _paths.TryUpdate(key, n - 1, n)) break;
        }
        Interlocked.Increment(ref _version);
    }

    private sealed class Registration(LaneReceivers receivers, string key) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) receivers.Remove(key);
        }
    }
}
