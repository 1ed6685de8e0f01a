using System.Diagnostics;
using Akka.Actor;
using Palm.Cluster;
using Palm.Dispatch;
using Palm.Messages;
using Palm.Messages.Internal;

namespace Palm.Servers.Butterfly.Internal;

/// <summary>
/// A worker of a <see cref="ButterflyServer"/>: calls the functions for the items its leader sends,
/// one at a time on its own thread, through the shared <see cref="StepRunner"/>, and answers the
/// sender. Answers travel in one envelope per batch when calls are quick; once a millisecond has gone
/// by they leave at once, so that the leader refills the worker's credit while it is still busy. Each
/// envelope also says whether the worker spent more time waiting for work than working since the
/// previous one, which is how the leader learns that this worker's window is too small.
/// </summary>
/// <remarks>
/// A worker takes work and answer checks only from the current leader of its server in the directory;
/// anything else is ignored, counted and logged at a bounded rate. What comes while the directory
/// lists no leader yet (a leader whose announcement is still on its way) is stashed, a bounded number of
/// messages, and looked at again when the directory changes. When its actor system shuts down, the
/// worker drains first (<see cref="WorkerDrain"/>).
/// </remarks>
internal sealed class ButterflyWorkerActor : ReceiveActor, IWithUnboundedStash
{
    private static readonly long FlushAfter = Stopwatch.Frequency / 1000;

    /// <summary>Most messages kept while no leader is known; beyond, they are ignored (the leader's answer checks recover its own).</summary>
    private const int MaxStashed = 64;

    private readonly ServerRuntime _runtime;
    private readonly StepRunner _runner;
    private readonly IgnoredMessages _strangers;
    private WorkerDrain? _drain;
    private int _stashed;

    // The leader as of the directory snapshot it was read from; re-read when the node publishes a new one.
    private DirectorySnapshot? _snapshot;
    private IActorRef? _leader;

    // Time spent waiting for work since the last envelope of answers, to tell the leader when the window
    // it gives this worker is too small to cover the round trip.
    private long _idleSince = Stopwatch.GetTimestamp();
    private long _idleTicks;
    private long _lastAnswers = Stopwatch.GetTimestamp();

    public ButterflyWorkerActor(ServerRuntime runtime)
    {
        _runtime = runtime;
        _runner = new StepRunner(runtime);
        _strangers = new IgnoredMessages(runtime.Log, $"A worker of server '{runtime.Name}'");
        Receive<WorkBatch>(batch =>
        {
            if (FromLeader("a batch of work")) Handle(batch);
        });
        Receive<AnswerCheck>(check =>
        {
            // Handled in mailbox order, so every batch sent before the check has been answered by now; the
            // reply takes the way the answers took, so it arrives after them.
            if (FromLeader("an answer check")) _runtime.Lanes.Tell(Sender, new AnswerCheckDone(check.Batch), Self);
        });
        Receive<WorkerDrained>(_ =>
        {
            if (_drain?.Drained(Sender) != true) _strangers.Note("a drained notice", Sender);
        });
        Receive<DirectoryUpdate>(_ =>
        {
            if (_stashed == 0 || Leader() is null) return;
            _stashed = 0;
            Stash.UnstashAll();
        });
        Receive<GetServerStatus>(_ => Sender.Tell(runtime.Counters.Snapshot(
            runtime.Name, runtime.Instance.TemplateName, "worker", runtime.NodeAddress, 0)));
    }

    public IStash Stash { get; set; } = null!;

    protected override void PreStart()
    {
        _runtime.Instance.Started();
        _runtime.Node.Tell(SubscribeDirectory.Instance, Self);
        _drain = WorkerDrain.Register(Context.System, _runtime, Self);
    }

    protected override void PostStop()
    {
        _runtime.Node.Tell(UnsubscribeDirectory.Instance, Self);
        _drain?.Stopped();
    }

    /// <summary>The current leader of this worker's server, from the node's directory; null while none is listed.</summary>
    private IActorRef? Leader()
    {
        var snapshot = _runtime.Directory.Current;
        if (!ReferenceEquals(snapshot, _snapshot))
        {
            _snapshot = snapshot;
            _leader = WorkerDrain.Leader(snapshot, _runtime.Name);
        }
        return _leader;
    }

    /// <summary>Whether the current message comes from the leader; if no leader is known yet it is stashed, otherwise ignored.</summary>
    private bool FromLeader(string what)
    {
        var leader = Leader();
        if (leader is not null && leader.Equals(Sender)) return true;
        if (leader is null && _stashed < MaxStashed)
        {
            _stashed++;
            Stash.Stash();
            return false;
        }
        _strangers.Note(what, Sender);
        return false;
    }

    private void Handle(WorkBatch batch)
    {
        if (_idleSince != 0) _idleTicks += Stopwatch.GetTimestamp() - _idleSince;
        _idleSince = 0;
        var answers = new Answers(_runtime, Sender, Self, Starved);
        var rest = _runner.Run(batch.Items, static item => item.Message, (item, outcome) => answers.Add(ToResult(item, outcome)));
        if (rest is null)
        {
            Done(answers);
            return;
        }
        RunTask(async () =>
        {
            await rest();
            Done(answers);
        });
    }

    private void Done(Answers answers)
    {
        answers.Flush();
        _idleSince = Stopwatch.GetTimestamp();
    }

    /// <summary>Whether the worker waited for work longer than it worked since its previous answers; starts a new period.</summary>
    private bool Starved()
    {
        var now = Stopwatch.GetTimestamp();
        var starved = 2 * _idleTicks > now - _lastAnswers;
        _idleTicks = 0;
        _lastAnswers = now;
        return starved;
    }

    private WorkResult ToResult(WorkItem item, in StepOutcome outcome)
    {
        if (outcome.Error is not null) return new WorkResult(item.Id, [], outcome.Error);
        var outputs = outcome.ToList();
        long bytes = 0;
        foreach (var output in outputs) bytes += output.Length;
        if (bytes <= _runtime.Settings.MaxPayloadBytes) return new WorkResult(item.Id, outputs, null);
        // The outputs of one call go back to the leader in one message; past this size the transport would drop it.
        _runtime.Counters.AddError();
        return new WorkResult(item.Id, [], new PalmError(PalmErrorKind.PayloadTooLarge, _runtime.Name, item.Message.Step.Function,
            item.Message.Stage, null,
            $"The outputs of one call total {bytes} bytes; on a butterfly worker they travel to the leader together, and palm.max-payload-bytes allows {_runtime.Settings.MaxPayloadBytes}."));
    }

    /// <summary>Answers gathered for the leader: sent when full, when a millisecond has passed since the last send, and at the end of a batch.</summary>
    private sealed class Answers
    {
        private readonly EnvelopeBatch<WorkResult> _batch;
        private long _since = Stopwatch.GetTimestamp();

        public Answers(ServerRuntime runtime, IActorRef leader, IActorRef self, Func<bool> starved) =>
            _batch = new EnvelopeBatch<WorkResult>(runtime.Settings.BatchMaxMessages, runtime.Settings.BatchMaxBytes, (results, _) =>
            {
                _since = Stopwatch.GetTimestamp();
                runtime.Lanes.Tell(leader, new WorkResults(results, starved()), self);
            });

        public void Add(WorkResult result)
        {
            long bytes = 0;
            foreach (var output in result.Outputs) bytes += output.Length;
            if (!_batch.Add(result, bytes) && Stopwatch.GetTimestamp() - _since >= FlushAfter) Flush();
        }

        public void Flush()
        {
            if (!_batch.Flush()) _since = Stopwatch.GetTimestamp();
        }
    }
}
