using Akka.Actor;
using Palm.Cluster;

namespace Palm.Cache.Internal;

/// <summary>A worker's view of its server's cache: the leader's, found through the directory at each call.</summary>
internal sealed class LeaderCache(string server, DirectoryView directory, TimeSpan timeout) : IPalmCache
{
    private RemoteCache Leader => directory.Current.TryGet(server, out var entry) && !entry.Cache.IsNobody()
        ? new RemoteCache(entry.Cache, timeout)
        : throw new InvalidOperationException($"The leader of '{server}' is not in the directory; its cache cannot be reached.");

    public ValueTask<byte[]?> GetAsync(string key, CancellationToken cancellationToken = default) => Leader.GetAsync(key, cancellationToken);

    public ValueTask<string> SetAsync(byte[] value, string? key = null, CancellationToken cancellationToken = default) => Leader.SetAsync(value, key, cancellationToken);

    public ValueTask AppendAsync(string key, byte[] value, CancellationToken cancellationToken = default) => Leader.AppendAsync(key, value, cancellationToken);

    public ValueTask<bool> DeleteAsync(string key, CancellationToken cancellationToken = default) => Leader.DeleteAsync(key, cancellationToken);
}
