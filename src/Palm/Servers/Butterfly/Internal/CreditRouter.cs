using Akka.Actor;
using Akka.Routing;

namespace Palm.Servers.Butterfly.Internal;

/// <summary>
/// One worker as a routee of its leader's router: the worker actor, how many messages it may hold
/// (its window) and which ones it holds now. Credit is what lets the leader balance by itself: a
/// worker gets a message only for one it has returned, so each worker is fed at its own pace.
/// </summary>
internal sealed class WorkerRoutee(IActorRef worker, int initialWindow, int maxWindow, Transport.DataLanes lanes) : Routee
{
    private readonly int _initialWindow = initialWindow;

    public IActorRef Worker { get; } = worker;

    /// <summary>The items sent to this worker that it has not answered yet: id, and the number of the batch that carried it.</summary>
    public Dictionary<long, long> Held { get; } = [];

    /// <summary>How many batches the worker was sent.</summary>
    public long Batches { get; private set; }

    /// <summary>The batch number an <see cref="AnswerCheck"/> on its way covers; null when none is.</summary>
    public long? CheckPending { get; set; }

    /// <summary>How many items the worker may hold; between the initial window and <c>palm.butterfly.worker-window</c>.</summary>
    public int Window { get; private set; } = initialWindow;

    public int Free => Window - Held.Count;

    /// <summary>Items being gathered for the next <see cref="WorkBatch"/> to this worker.</summary>
    public List<WorkItem> Outbox { get; private set; } = [];

    public long OutboxBytes { get; set; }

    /// <summary>The worker answered everything it had while more work was waiting: it was starved, not slow.</summary>
    public void Grow() => Window = Math.Min(Window * 2, maxWindow);

    /// <summary>The server went idle: start small again, so that the next job's first messages spread over every worker.</summary>
    public void Reset() => Window = _initialWindow;

    private List<WorkItem> TakeOutbox()
    {
        var items = Outbox;
        Outbox = [];
        OutboxBytes = 0;
        return items;
    }

    /// <summary>Sends what the outbox holds as one <see cref="WorkBatch"/>.</summary>
    public void SendOutbox(IActorRef sender)
    {
        Batches++;
        Send(new WorkBatch(TakeOutbox()), sender);
    }

    /// <summary>Sends to the worker on the lane to its system when there is one, so work and checks keep their order.</summary>
    public override void Send(object message, IActorRef sender) => lanes.Tell(Worker, message, sender);
}

/// <summary>
/// The leader's routing logic: the routee with the most free credit, ties taken in turn; none when
/// every worker is full, which is the signal to wait for results. Akka.NET 1.5 has no work-pulling
/// router, and its pool and group routers get no word back from their routees, so they cannot be fair
/// to workers of different speeds; credit is that word.
/// </summary>
internal sealed class CreditRoutingLogic : RoutingLogic
{
    private uint _turn;

    public override Routee Select(object message, Routee[] routees)
    {
        if (routees.Length == 0) return Routee.NoRoutee;
        var start = (int)(_turn++ % (uint)routees.Length);
        Routee best = Routee.NoRoutee;
        var bestFree = 0;
        for (var i = 0; i < routees.Length; i++)
        {
            var routee = (WorkerRoutee)routees[(start + i) % routees.Length];
            if (routee.Free > bestFree)
            {
                best = routee;
                bestFree = routee.Free;
            }
        }
        return best;
    }
}
