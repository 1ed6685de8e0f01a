namespace Palm.Cache;

/// <summary>
/// A server's key-value cache. The server's functions, its workers and every client see the same keys.
/// </summary>
public interface IPalmCache
{
    /// <summary>The value stored under <paramref name="key"/>, or null when there is none.</summary>
    ValueTask<byte[]?> GetAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Stores <paramref name="value"/> under <paramref name="key"/>, or under a new unique key when it is null.</summary>
    /// <returns>The key the value was stored under.</returns>
    ValueTask<string> SetAsync(byte[] value, string? key = null, CancellationToken cancellationToken = default);

    /// <summary>Appends <paramref name="value"/> to the bytes under <paramref name="key"/> (creating the entry if needed).</summary>
    ValueTask AppendAsync(string key, byte[] value, CancellationToken cancellationToken = default);

    /// <summary>Removes <paramref name="key"/>.</summary>
    /// <returns>Whether a value was removed.</returns>
    ValueTask<bool> DeleteAsync(string key, CancellationToken cancellationToken = default);
}

/// <summary>A cache write was refused: the cache is at <c>palm.cache.max-entries</c> or <c>palm.cache.max-bytes</c>.</summary>
public sealed class PalmCacheFullException(string message) : InvalidOperationException(message);
