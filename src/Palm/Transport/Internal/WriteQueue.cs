using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace Palm.Transport.Internal;

/// <summary>
/// The frames waiting for one lane connection's writer thread. Any thread adds; the writer takes, and
/// sleeps while the queue is empty without spinning first. A blocking collection spins before it
/// sleeps, and on two busy cores every spin is a yield to another thread: a yield and a context switch
/// per frame that found the writer idle, measured as a sixth of all the yields a 64 KiB stream over TLS
/// made. A frame waits for a wake-up instead, which the writer needs anyway once it slept.
/// </summary>
/// <typeparam name="T">The queued item.</typeparam>
internal sealed class WriteQueue<T> where T : class
{
    private readonly ConcurrentQueue<T> _items = new();
    private readonly ManualResetEventSlim _ready = new(false, spinCount: 0);
    private volatile bool _completed;

    /// <summary>Queues <paramref name="item"/> and wakes the writer if it sleeps.</summary>
    public void Add(T item)
    {
        _items.Enqueue(item);
        // The writer resets the signal before its last look at the queue, so a set signal means it is awake.
        if (!_ready.IsSet) _ready.Set();
    }

    /// <summary>Takes the next item if one waits.</summary>
    public bool TryTake([MaybeNullWhen(false)] out T item) => _items.TryDequeue(out item);

    /// <summary>Takes the next item, sleeping until one comes; false once <see cref="Complete"/> was called and the queue is empty.</summary>
    public bool Take([MaybeNullWhen(false)] out T item)
    {
        while (true)
        {
            if (_items.TryDequeue(out item)) return true;
            if (_completed) return false;
            _ready.Reset();
            if (_items.TryDequeue(out item)) return true;
            if (_completed) return false;
            _ready.Wait();
        }
    }

    /// <summary>No more items come: <see cref="Take"/> returns false once the queue is empty.</summary>
    public void Complete()
    {
        _completed = true;
        _ready.Set();
    }
}
