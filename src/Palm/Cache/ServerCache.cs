using System.Collections.Concurrent;

namespace Palm.Cache;

/// <summary>The store behind a server's cache: thread-safe, read directly by the server's own functions.</summary>
internal sealed class ServerCache(int maxEntries = int.MaxValue, long maxBytes = long.MaxValue) : IPalmCache
{
    private readonly ConcurrentDictionary<string, byte[]> _entries = new();
    // Writes take the lock so that the bounds hold exactly; reads stay lock-free.
    private readonly Lock _write = new();
    private long _bytes;

    public byte[]? Get(string key) => _entries.TryGetValue(Checked(key), out var v) ? v : null;

    /// <exception cref="PalmCacheFullException">The cache is at <c>palm.cache.max-entries</c> or <c>max-bytes</c>.</exception>
    public string Set(byte[] value, string? key)
    {
        ArgumentNullException.ThrowIfNull(value);
        key ??= Guid.NewGuid().ToString("N");
        lock (_write)
        {
            var old = _entries.TryGetValue(key, out var o) ? o.Length : -1;
            Reserve(key, value.Length - Math.Max(old, 0), old < 0);
            _entries[key] = value;
        }
        return key;
    }

    /// <exception cref="PalmCacheFullException">The cache is at <c>palm.cache.max-entries</c> or <c>max-bytes</c>.</exception>
    public void Append(string key, byte[] value)
    {
        ArgumentNullException.ThrowIfNull(value);
        Checked(key);
        lock (_write)
        {
            var exists = _entries.TryGetValue(key, out var old);
            Reserve(key, value.Length, !exists);
            _entries[key] = exists ? [.. old!, .. value] : value;
        }
    }

    public bool Delete(string key)
    {
        lock (_write)
        {
            if (!_entries.TryRemove(Checked(key), out var old)) return false;
            _bytes -= old.Length;
            return true;
        }
    }

    private void Reserve(string key, long moreBytes, bool newKey)
    {
        if (newKey && _entries.Count >= maxEntries)
            throw new PalmCacheFullException($"The cache holds {_entries.Count} keys, palm.cache.max-entries; key '{key}' was not added.");
        if (_bytes + moreBytes > maxBytes)
            throw new PalmCacheFullException($"The cache holds {_bytes} bytes; adding {moreBytes} for key '{key}' would pass palm.cache.max-bytes = {maxBytes}.");
        _bytes += moreBytes;
    }

    public ValueTask<byte[]?> GetAsync(string key, CancellationToken cancellationToken = default) => new(Get(key));

    public ValueTask<string> SetAsync(byte[] value, string? key = null, CancellationToken cancellationToken = default) => new(Set(value, key));

    public ValueTask AppendAsync(string key, byte[] value, CancellationToken cancellationToken = default)
    {
        Append(key, value);
        return ValueTask.CompletedTask;
    }

    public ValueTask<bool> DeleteAsync(string key, CancellationToken cancellationToken = default) => new(Delete(key));

    private static string Checked(string key) => key ?? throw new ArgumentNullException(nameof(key), "A cache key cannot be null.");

    /// <summary>Answers a cache request from a client or a worker.</summary>
    public CacheReply Handle(object request) => request switch
    {
        CacheGet g => new CacheReply(Get(g.Key), g.Key, false),
        CacheSet s => new CacheReply(null, Set(s.Value, s.Key), false),
        CacheAppend a => Reply(() => Append(a.Key, a.Value), a.Key),
        CacheDelete d => new CacheReply(null, d.Key, Delete(d.Key)),
        _ => throw new ArgumentException($"Not a cache request: {request.GetType()}"),
    };

    private static CacheReply Reply(Action action, string key)
    {
        action();
        return new CacheReply(null, key, true);
    }
}
