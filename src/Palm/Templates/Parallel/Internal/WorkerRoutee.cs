using Akka.Actor;
using Palm.Messages.Internal;
using Palm.Transport;

namespace Palm.Templates.Parallel.Internal;

/// <summary>
/// One worker as its leader's ventilator sees it: the worker actor, how many messages it may hold
/// (its window) and which ones it holds now. Credit is what lets the leader balance by itself: a
/// worker gets a message only for one it has returned, so each worker is fed at its own pace.
/// </summary>
internal sealed class WorkerRoutee
{
    private readonly WindowRules _rules;
    private readonly Transport.DataLanes _lanes;
    private readonly AnswerRate _rate;
    private readonly EnvelopeBatch<WorkItem> _outbox;
    private IActorRef _leader = ActorRefs.Nobody;

    /// <param name="worker">The worker actor.</param>
    /// <param name="rules">How its window is sized.</param>
    /// <param name="lanes">The way work goes to it.</param>
    /// <param name="batchMaxMessages"><c>palm.batch.max-messages</c>.</param>
    /// <param name="batchMaxBytes"><c>palm.batch.max-bytes</c>.</param>
    public WorkerRoutee(IActorRef worker, WindowRules rules, Transport.DataLanes lanes, int batchMaxMessages, long batchMaxBytes)
    {
        Worker = worker;
        _rules = rules;
        _lanes = lanes;
        _rate = new AnswerRate(rules.SampleTicks, rules.Frequency, rules.WindowSeconds);
        Window = rules.Initial;
        Limit = rules.Max;
        // In the session with the worker's system (DataLanes.Tell): kept and sent again until that system confirms it.
        _outbox = new EnvelopeBatch<WorkItem>(batchMaxMessages, batchMaxBytes, (items, _) => _lanes.Tell(Worker, new WorkBatch(items), _leader));
    }

    public IActorRef Worker { get; }

    /// <summary>The ids of the items sent to this worker that it has not answered yet.</summary>
    public HashSet<long> Held { get; } = [];

    /// <summary>How many items the worker may hold; between the initial window and <see cref="Limit"/>.</summary>
    public int Window { get; private set; }

    /// <summary>
    /// The most the window may grow to: what the worker answers in <c>palm.butterfly.worker-window-time</c> at its
    /// measured rate, between the initial window and <c>palm.butterfly.worker-window</c> (the latter until a rate is known).
    /// </summary>
    public int Limit { get; private set; }

    /// <summary>The worker's measured rate: items answered per second of holding work (0 until measured).</summary>
    public double Rate => _rate.PerSecond;

    /// <summary>The worker is shutting down: it gets no new work, and is told once it holds nothing.</summary>
    public bool Draining { get; private set; }

    /// <summary>How many items the worker held when it said it was shutting down.</summary>
    public int HeldAtDrain { get; private set; }

    /// <summary>The worker was told it holds nothing any more (<see cref="WorkerDrained"/>).</summary>
    public bool DrainReported { get; set; }

    /// <summary>Items answered since the last envelope of answers was accounted for (<see cref="Measure"/>).</summary>
    public int AnsweredSinceMeasure { get; set; }

    public int Free => Draining ? 0 : Window - Held.Count;

    public void Drain()
    {
        Draining = true;
        HeldAtDrain = Held.Count;
    }

    /// <summary>The worker is about to hold work while it held none: its busy time starts.</summary>
    public void Busy(long now) => _rate.Busy(now);

    /// <summary>
    /// After an envelope of answers: counts them into the rate, and once a new rate sample is in, caps the window at
    /// what the worker answers in the window time, so that a worker that dies strands a bounded time of work.
    /// </summary>
    public void Measure(long now)
    {
        var sampled = _rate.Answered(now, AnsweredSinceMeasure, Held.Count > 0);
        AnsweredSinceMeasure = 0;
        if (!sampled) return;
        Limit = (int)Math.Clamp(_rate.PerSecond * _rules.WindowSeconds, _rules.Initial, _rules.Max);
        if (Window > Limit) Window = Limit;
    }

    /// <summary>The worker answered everything it had while more work was waiting: it was starved, not slow.</summary>
    public void Grow() => Window = Math.Max(Window, Math.Min(Window * 2, Limit));

    /// <summary>The server went idle: start small again, so that the next job's first messages spread over every worker.</summary>
    public void Reset() => Window = _rules.Initial;

    /// <summary>Adds <paramref name="item"/> to the next <see cref="WorkBatch"/> for this worker, sent by <paramref name="leader"/> (at once when that fills it).</summary>
    public void AddToOutbox(WorkItem item, IActorRef leader)
    {
        _leader = leader;
        _outbox.Add(item, item.Message.Payload.Length);
    }

    /// <summary>Sends what the outbox holds, if anything, as one <see cref="WorkBatch"/>.</summary>
    public void SendOutbox(IActorRef leader)
    {
        _leader = leader;
        _outbox.Flush();
    }
}
