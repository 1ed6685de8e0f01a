namespace Palm.Cache;

internal sealed record CacheGet(string Key);

internal sealed record CacheSet(string? Key, byte[] Value);

internal sealed record CacheAppend(string Key, byte[] Value);

internal sealed record CacheDelete(string Key);

/// <summary>The reply to every cache request: the value (get), the key (set) or whether the key existed (delete).</summary>
internal sealed record CacheReply(byte[]? Value, string? Key, bool Existed);
