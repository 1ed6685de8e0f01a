using Akka.Actor;
using Akka.Routing;
using Palm.Messages;

namespace Palm.Servers.Butterfly.Internal;

/// <summary>
/// The leader's bookkeeping, apart from the actor so that it can be tested alone: which messages wait,
/// which worker holds which, and which are answered. Every message gets an id when it arrives and keeps
/// it through re-dispatch; the first answer for an id is the one used, any later one is ignored. That
/// is how a message reaches the rest of its route exactly once even when a worker thought dead answers
/// after its messages went to another.
/// </summary>
internal sealed class Ventilator(int initialWindow, int maxWindow, int batchMaxMessages, long batchMaxBytes, Transport.DataLanes lanes)
{
    private readonly CreditRoutingLogic _logic = new();
    private readonly Dictionary<IActorRef, WorkerRoutee> _workers = new();
    private Routee[] _routees = [];
    private readonly Queue<WorkItem> _fresh = new();
    private readonly Queue<WorkItem> _retry = new();
    private readonly Dictionary<long, Open> _open = new();
    private readonly int _initialWindow = Math.Min(initialWindow, maxWindow);
    private long _nextId;

    public int WorkerCount => _workers.Count;

    public IReadOnlyCollection<WorkerRoutee> Workers => _workers.Values;

    /// <summary>Messages that wait for a worker with free credit.</summary>
    public int Waiting => _fresh.Count + _retry.Count;

    /// <summary>Messages dispatched and not answered yet.</summary>
    public int Outstanding => _open.Count;

    public void Enqueue(PipelineMessage message) => _fresh.Enqueue(new WorkItem(++_nextId, message));

    public bool AddWorker(IActorRef worker)
    {
        if (_workers.ContainsKey(worker)) return false;
        var routee = new WorkerRoutee(worker, _initialWindow, maxWindow, lanes);
        _workers[worker] = routee;
        _routees = [.. _routees, routee];
        return true;
    }

    /// <summary>Forgets a worker and puts the messages only it held back in front of the queue; returns how many, or -1 if it was unknown.</summary>
    public int RemoveWorker(IActorRef worker)
    {
        if (!_workers.Remove(worker, out var routee)) return -1;
        _routees = _routees.Where(r => !ReferenceEquals(r, routee)).ToArray();
        return Requeue(routee, routee.Held.Keys.ToList());
    }

    /// <summary>The workers that hold messages and have no check under way, each with the batch number a check now covers.</summary>
    public List<(IActorRef Worker, long Batch)> ChecksDue()
    {
        var due = new List<(IActorRef, long)>();
        foreach (var routee in _workers.Values)
        {
            if (routee.Held.Count == 0 || routee.CheckPending is not null) continue;
            routee.CheckPending = routee.Batches;
            due.Add((routee.Worker, routee.Batches));
        }
        return due;
    }

    /// <summary>
    /// <paramref name="from"/> has answered everything up to batch <paramref name="batch"/>: what it still holds
    /// from those batches never reached it, or its answer never reached us; it goes to a worker again.
    /// Returns how many messages that is.
    /// </summary>
    public int Checked(IActorRef from, long batch)
    {
        // A reply to a check of an earlier incarnation of the worker (it left and came back) says nothing about now.
        if (!_workers.TryGetValue(from, out var routee) || routee.CheckPending != batch) return 0;
        routee.CheckPending = null;
        return Requeue(routee, routee.Held.Where(h => h.Value <= batch).Select(h => h.Key).ToList());
    }

    private int Requeue(WorkerRoutee routee, List<long> ids)
    {
        var requeued = 0;
        // Oldest first, so that re-dispatched messages keep their order among themselves.
        ids.Sort();
        foreach (var id in ids)
        {
            routee.Held.Remove(id);
            if (!_open.TryGetValue(id, out var open) || !ReferenceEquals(open.Worker, routee)) continue;
            open.Worker = null;
            _retry.Enqueue(open.Item);
            requeued++;
        }
        return requeued;
    }

    /// <summary>
    /// Records <paramref name="from"/>'s answer for item <paramref name="id"/>. True with the item's message
    /// if it is the first answer; false for a duplicate (the item was already answered, by this worker or another).
    /// </summary>
    public bool Complete(IActorRef from, long id, out PipelineMessage message)
    {
        if (_workers.TryGetValue(from, out var routee)) routee.Held.Remove(id);
        if (_open.Remove(id, out var open))
        {
            // If another worker got the message again meanwhile, it keeps counting it against its credit
            // until it answers too (then ignored): credit tracks what a worker really holds.
            message = open.Item.Message;
            return true;
        }
        message = null!;
        return false;
    }

    /// <summary>
    /// Adjusts <paramref name="from"/>'s window after one of its envelopes of answers. It grows while work waits
    /// here and the worker had none: it answered everything it held, or says it waited for work longer than it
    /// worked (<paramref name="starved"/>). It goes back to the start when the server is idle.
    /// </summary>
    public void Answered(IActorRef from, bool starved)
    {
        if (!_workers.TryGetValue(from, out var routee)) return;
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
        while (true)
        {
            WorkItem item;
            Queue<WorkItem> from;
            if (_retry.Count > 0)
            {
                item = _retry.Peek();
                from = _retry;
                if (!_open.ContainsKey(item.Id))
                {
                    // Answered late by the worker that was thought gone: nothing left to do.
                    _retry.Dequeue();
                    continue;
                }
            }
            else if (_fresh.Count > 0)
            {
                item = _fresh.Peek();
                from = _fresh;
            }
            else break;

            if (_logic.Select(item, _routees) is not WorkerRoutee routee) break;
            from.Dequeue();
            if (_open.TryGetValue(item.Id, out var open)) open.Worker = routee;
            else _open[item.Id] = new Open(item, routee);
            routee.Held[item.Id] = routee.Batches + 1;
            routee.Outbox.Add(item);
            routee.OutboxBytes += item.Message.Payload.Length;
            if (routee.Outbox.Count >= batchMaxMessages || routee.OutboxBytes >= batchMaxBytes) routee.SendOutbox(self);
        }
        foreach (var routee in _workers.Values)
            if (routee.Outbox.Count > 0) routee.SendOutbox(self);
    }

    private sealed class Open(WorkItem item, WorkerRoutee? worker)
    {
        public WorkItem Item { get; } = item;

        /// <summary>The worker that holds the item now; null while it waits for re-dispatch.</summary>
        public WorkerRoutee? Worker { get; set; } = worker;
    }
}
