using System.Collections.Concurrent;

namespace Palm.Cache;

/// <summary>The store behind a server's cache: thread-safe, read directly by the server's own functions.</summary>
internal sealed class ServerCache : IPalmCache
{
    private readonly ConcurrentDictionary<string, byte[]> _entries = new();

    public int Count => _entries.Count;

    public byte[]? Get(string key) => _entries.TryGetValue(Checked(key), out var v) ? v : null;

    public string Set(byte[] value, string? key)
    {
        ArgumentNullException.ThrowIfNull(value);
        key ??= Guid.NewGuid().ToString("N");
        _entries[key] = value;
        return key;
    }

    public void Append(string key, byte[] value)
    {
        ArgumentNullException.ThrowIfNull(value);
        _entries.AddOrUpdate(Checked(key), value, (_, old) => [.. old, .. value]);
    }

    public bool Delete(string key) => _entries.TryRemove(Checked(key), out _);

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
