using Palm.Messages;

namespace Palm.Cache;

internal sealed record CacheGet(string Key) : IPalmControlMessage;

internal sealed record CacheSet(string? Key, byte[] Value) : IPalmControlMessage;

internal sealed record CacheAppend(string Key, byte[] Value) : IPalmControlMessage;

internal sealed record CacheDelete(string Key) : IPalmControlMessage;

/// <summary>
/// The reply to every cache request: the value (get), the key (set) or whether the key existed (delete);
/// or why the request failed (<see cref="Error"/>; <see cref="Full"/> when a bound refused it). Failures
/// travel as text because an exception does not survive every serializer.
/// </summary>
internal sealed record CacheReply(byte[]? Value, string? Key, bool Existed, string? Error = null, bool Full = false) : IPalmControlMessage;
