using Akka.Actor;
using Palm.Messages;
using Palm.Transport;

namespace Palm.Templates.Parallel.Internal;

/// <summary>
/// The leader's bookkeeping, apart from the actor so that it can be tested alone. An answer counts only from the worker that
/// holds its message now, and only once: that is how a message goes on exactly once (docs/internals.md#ventilator).
/// </summary>
/// <param name="initialWindow">The window a worker starts with.</param>
/// <param name="maxWindow"><c>palm.butterfly.worker-window</c>.</param>
/// <param name="windowTime"><c>palm.butterfly.worker-window-time</c>.</param>
/// <param name="batchMaxMessages"><c>palm.batch.max-messages</c>.</param>
/// <param name="batchMaxBytes"><c>palm.batch.max-bytes</c>.</param>
/// <param name="lanes">The way work goes to workers.</param>
/// <param name="clock">Measures workers' rates; tests pass a clock of their own.</param>
internal sealed class Ventilator(int initialWindow, int maxWindow, TimeSpan windowTime, int batchMaxMessages, long batchMaxBytes,
    Transport.DataLanes lanes, TimeProvider? clock = null)
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly WindowRules _rules = new(Math.Min(initialWindow, maxWindow), maxWindow, windowTime.TotalSeconds,
        (clock ?? TimeProvider.System).TimestampFrequency);
    private readonly Dictionary<IActorRef, WorkerRoutee> _workers = new();
    private WorkerRoutee[] _routees = [];
    private readonly Queue<WorkItem> _fresh = new();
    private readonly Queue<WorkItem> _retry = new();
    private readonly Dictionary<long, Open> _open = new();
    private long _nextId;
    private uint _turn;
    private int _undrained;

    public int WorkerCount => _workers.Count;

    public IReadOnlyCollection<WorkerRoutee> Workers => _workers.Values;

    /// <summary>Messages that wait for a worker with free credit.</summary>
    public int Waiting => _fresh.Count + _retry.Count;

    /// <summary>Messages dispatched and not answered yet.</summary>
    public int Outstanding => _open.Count;

    /// <summary>Answers ignored: from a worker that did not hold that message (any more), or answered already.</summary>
    public long Ignored { get; private set; }

    /// <summary>Whether <paramref name="actor"/> is one of the workers.</summary>
    public bool IsWorker(IActorRef actor) => _workers.ContainsKey(actor);

    public void Enqueue(PipelineMessage message) => _fresh.Enqueue(new WorkItem(++_nextId, message));

    public bool AddWorker(IActorRef worker)
    {
        if (_workers.ContainsKey(worker)) return false;
        var routee = new WorkerRoutee(worker, _rules, lanes, batchMaxMessages, batchMaxBytes);
        _workers[worker] = routee;
        _routees = [.. _routees, routee];
        return true;
    }

    /// <summary>Forgets a worker and puts the messages only it held back in front of the queue; returns how many, or -1 if it was unknown.</summary>
    public int RemoveWorker(IActorRef worker)
    {
        if (!_workers.Remove(worker, out var routee)) return -1;
        _routees = _routees.Where(r => !ReferenceEquals(r, routee)).ToArray();
        if (routee.Draining && !routee.DrainReported) _undrained--;
        var requeued = 0;
        // Oldest first, so that re-dispatched messages keep their order among themselves.
        foreach (var id in routee.Held.Order())
        {
            if (!_open.TryGetValue(id, out var open) || !ReferenceEquals(open.Worker, routee)) continue;
            open.Worker = null;
            _retry.Enqueue(open.Item);
            requeued++;
        }
        routee.Held.Clear();
        return requeued;
    }

    /// <summary>
    /// <paramref name="worker"/> is shutting down: it gets no new work from now on. False if it is not a worker
    /// (then it holds nothing here either).
    /// </summary>
    public bool Drain(IActorRef worker)
    {
        if (!_workers.TryGetValue(worker, out var routee)) return false;
        if (routee.Draining) return true;
        routee.Drain();
        _undrained++;
        return true;
    }

    /// <summary>Whether some worker is draining and was not yet reported drained (see <see cref="TakeDrained"/>).</summary>
    public bool Undrained => _undrained > 0;

    /// <summary>The draining workers that hold nothing any more and were not yet reported; each is reported once.</summary>
    public List<WorkerRoutee> TakeDrained()
    {
        if (_undrained == 0) return [];
        var drained = new List<WorkerRoutee>();
        foreach (var routee in _workers.Values)
        {
            if (!routee.Draining || routee.DrainReported || routee.Held.Count > 0) continue;
            routee.DrainReported = true;
            _undrained--;
            drained.Add(routee);
        }
        return drained;
    }

    /// <summary>
    /// Records <paramref name="from"/>'s answer for item <paramref name="id"/>. True with the item's message if
    /// <paramref name="from"/> holds the item now; false otherwise (counted in <see cref="Ignored"/>): an answer for
    /// an item already answered, or re-dispatched meanwhile (the worker that holds it now will answer), or from an
    /// actor that is no worker at all.
    /// </summary>
    public bool Complete(IActorRef from, long id, out PipelineMessage message)
    {
        // An item is held by at most one worker, and is open while it is: Requeue takes it from its holder first.
        if (_workers.TryGetValue(from, out var routee) && routee.Held.Remove(id) && _open.Remove(id, out var open))
        {
            routee.AnsweredSinceMeasure++;
            message = open.Item.Message;
            return true;
        }
        Ignored++;
        message = null!;
        return false;
    }

    /// <summary>
    /// Adjusts <paramref name="from"/>'s window after one of its envelopes of answers. It grows while work waits
    /// here and the worker had none: it answered everything it held, or says it waited for work longer than it
    /// worked (<paramref name="starved"/>); never past what the worker answers in the window time. It goes back
    /// to the start when the server is idle.
    /// </summary>
    public void Answered(IActorRef from, bool starved)
    {
        if (!_workers.TryGetValue(from, out var routee)) return;
        routee.Measure(_clock.GetTimestamp());
        if (Waiting > 0)
        {
            if (starved || routee.Held.Count == 0) routee.Grow();
        }
        else if (routee.Held.Count == 0)
        {
            routee.Reset();
        }
    }

    /// <summary>Hands waiting messages to workers with free credit, re-dispatched ones first, one batch per worker.</summary>
    public void Dispatch(IActorRef self)
    {
        long now = -1;
        while (true)
        {
            WorkItem item;
            Queue<WorkItem> from;
            // Nobody holds a message that waits for re-dispatch, so nobody can answer it meanwhile: it is still open.
            if (_retry.Count > 0)
            {
                item = _retry.Peek();
                from = _retry;
            }
            else if (_fresh.Count > 0)
            {
                item = _fresh.Peek();
                from = _fresh;
            }
            else break;

            if (MostFree() is not { } routee) break;
            from.Dequeue();
            if (_open.TryGetValue(item.Id, out var open)) open.Worker = routee;
            else _open[item.Id] = new Open(item, routee);
            if (routee.Held.Count == 0) routee.Busy(now < 0 ? now = _clock.GetTimestamp() : now);
            routee.Held.Add(item.Id);
            routee.AddToOutbox(item, self);
        }
        foreach (var routee in _workers.Values) routee.SendOutbox(self);
    }

    /// <summary>
    /// The worker with the most free credit, ties taken in turn; none when every worker is full, which is the signal to wait
    /// for answers. Akka.NET 1.5 has no work-pulling router, and its pool and group routers get no word back from their
    /// routees, so they cannot be fair to workers of different speeds; credit is that word.
    /// </summary>
    private WorkerRoutee? MostFree()
    {
        if (_routees.Length == 0) return null;
        var start = (int)(_turn++ % (uint)_routees.Length);
        WorkerRoutee? best = null;
        var bestFree = 0;
        for (var i = 0; i < _routees.Length; i++)
        {
            var routee = _routees[(start + i) % _routees.Length];
            if (routee.Free > bestFree)
            {
                best = routee;
                bestFree = routee.Free;
            }
        }
        return best;
    }

    private sealed class Open(WorkItem item, WorkerRoutee? worker)
    {
        public WorkItem Item { get; } = item;

        /// <summary>The worker that holds the item now; null while it waits for re-dispatch.</summary>
        public WorkerRoutee? Worker { get; set; } = worker;
    }
}
