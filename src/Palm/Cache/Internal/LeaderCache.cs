using Akka.Actor;

namespace Palm.Cache.Internal;

/// <summary>A worker's view of its server's cache: the leader's, found anew at each call (through the directory).</summary>
internal sealed class LeaderCache(string server, Func<IActorRef?> leaderCache, TimeSpan timeout) : IPalmCache
{
    private RemoteCache Leader => leaderCache() is { } cache && !cache.IsNobody()
        ? new RemoteCache(cache, timeout)
        : throw new InvalidOperationException($"The leader of '{server}' is not in the directory; its cache cannot be reached.");

    public ValueTask<byte[]?> GetAsync(string key, CancellationToken cancellationToken = default) => Leader.GetAsync(key, cancellationToken);

    public ValueTask<string> SetAsync(byte[] value, string? key = null, CancellationToken cancellationToken = default) => Leader.SetAsync(value, key, cancellationToken);

    public ValueTask AppendAsync(string key, byte[] value, CancellationToken cancellationToken = default) => Leader.AppendAsync(key, value, cancellationToken);

    public ValueTask<bool> DeleteAsync(string key, CancellationToken cancellationToken = default) => Leader.DeleteAsync(key, cancellationToken);
}
