namespace Palm.Messages.Internal;

/// <summary>
/// The one "append to a batch, send at a count or a byte limit" loop of everything that sends envelopes of many items. A
/// batch stays below <c>maxBytes</c> unless one item alone exceeds it, and what is left leaves at <see cref="Flush"/>, so a
/// lone item never waits (docs/internals.md#envelopebatch).
/// </summary>
/// <typeparam name="T">The item an envelope carries.</typeparam>
/// <param name="maxMessages"><c>palm.batch.max-messages</c>.</param>
/// <param name="maxBytes"><c>palm.batch.max-bytes</c>.</param>
/// <param name="send">
/// Sends one envelope: the items (a list the batch never touches again) and the bytes counted for them.
/// </param>
internal sealed class EnvelopeBatch<T>(int maxMessages, long maxBytes, Action<List<T>, long> send)
{
    private List<T> _items = [];

    /// <summary>Items waiting for the next envelope.</summary>
    public int Count => _items.Count;

    /// <summary>Bytes counted for the items waiting.</summary>
    public long Bytes { get; private set; }

    /// <summary>
    /// Appends <paramref name="item"/>, counted as <paramref name="bytes"/>. True if the batch left with
    /// this item in it; false if the item waits (a batch that left before it, because the item would
    /// have taken it past the byte limit, does not count).
    /// </summary>
    public bool Add(T item, long bytes)
    {
        if (_items.Count > 0 && Bytes + bytes > maxBytes) Flush();
        _items.Add(item);
        Bytes += bytes;
        if (_items.Count < maxMessages && Bytes < maxBytes) return false;
        Flush();
        return true;
    }

    /// <summary>Sends what waits, if anything; true if an envelope left.</summary>
    public bool Flush()
    {
        if (_items.Count == 0) return false;
        var items = _items;
        var bytes = Bytes;
        // A new list rather than Clear: the envelope keeps the old one until it is serialized.
        _items = [];
        Bytes = 0;
        send(items, bytes);
        return true;
    }
}
