using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using Palm.Diagnostics;
using Palm.Discovery;
using Palm.Dispatch;
using Palm.Messages;
using Palm.Messages.Internal;
using Palm.Servers;

namespace Palm.Templates.Parallel.Internal;

/// <summary>
/// A worker of a <see cref="Servers.ButterflyServer"/>: calls the functions for the items its leader sends, through the shared
/// <see cref="StepRunner{T}"/>, and answers in envelopes that also say whether it waited for work, so the leader can grow its
/// window. It takes work only from its server's current leader (docs/internals.md#workeractor).
/// </summary>
internal sealed class WorkerActor : ReceiveActor, IWithUnboundedStash
{
    private static readonly TimeSpan MaxHold = TimeSpan.FromMilliseconds(1);

    /// <summary>
    /// Most messages kept while no leader is known; beyond, they are ignored. A leader's credit bounds what it sends a
    /// worker that has not answered yet (a new worker starts with a window of 2), so its own work fits.
    /// </summary>
    private const int MaxStashed = 64;

    private readonly ServerRuntime _runtime;
    private readonly ParallelSettings _parallel;
    private readonly StepRunner<Job> _runner;
    private readonly Answers _answers;
    private readonly RateLimitedLog _strangers;
    private WorkerDrain? _drain;
    private int _stashed;

    // The current leader of this worker's server, re-read when the node publishes a new directory.
    private readonly DirectoryLookup _directory;

    private long _lastAnswers = Stopwatch.GetTimestamp();

    public WorkerActor(ServerRuntime runtime, ParallelSettings parallel)
    {
        _runtime = runtime;
        _parallel = parallel;
        _directory = new DirectoryLookup(runtime.Directory);
        _answers = new Answers(runtime, Self, Starved);
        _runner = new StepRunner<Job>(runtime, Self, static job => job.Item.Message, (job, outcome) => _answers.Add(job.Leader, ToResult(job.Item, outcome)));
        _strangers = new RateLimitedLog(runtime.Log, RateLimitedLog.StrangerInterval);
        WarnOfConcurrencyAboveWindow();
        Receive<WorkBatch>(batch =>
        {
            if (FromLeader("a batch of work")) Handle(batch);
        });
        Receive<ResumeSteps>(_ => After(_runner.Resume()));
        Receive<WorkerDrained>(_ =>
        {
            if (_drain?.Drained(Sender) != true) Ignore("a drained notice");
        });
        Receive<DirectoryUpdate>(_ =>
        {
            if (_stashed == 0 || _directory.LeaderOf(_runtime.Name) is null) return;
            _stashed = 0;
            Stash.UnstashAll();
        });
        Receive<GetServerStatus>(_ => Sender.Tell(runtime.Status()));
    }

    public IStash Stash { get; set; } = null!;

    protected override void PreStart()
    {
        _runtime.Instance.Started();
        _runtime.Node.Tell(SubscribeDirectory.Instance, Self);
        _drain = WorkerDrain.Register(Context.System, _runtime, _parallel.DrainTimeout, Self);
    }

    /// <summary>
    /// A worker that fails (a fault of Palm's own: a function's exception is an answer) would restart with the calls it
    /// held forgotten, while its leader waits for their answers: it stops instead, so that its leader, which watches it,
    /// re-dispatches them (DeathWatch), and its node takes it out of the directory.
    /// </summary>
    protected override void PostRestart(Exception reason)
    {
        _runtime.Log.Error(reason, "A worker of server '{0}' failed; it stops, and its leader re-dispatches what it held.", _runtime.Name);
        Context.Stop(Self);
    }

    protected override void PostStop()
    {
        _runtime.Node.Tell(UnsubscribeDirectory.Instance, Self);
        _drain?.Stopped();
    }

    /// <summary>Whether the current message comes from the leader; if no leader is known yet it is stashed, otherwise ignored.</summary>
    private bool FromLeader(string what)
    {
        var leader = _directory.LeaderOf(_runtime.Name);
        if (leader is not null && leader.Equals(Sender)) return true;
        if (leader is null && _stashed < MaxStashed)
        {
            _stashed++;
            Stash.Stash();
            return false;
        }
        Ignore(what);
        return false;
    }

    private void Ignore(string what) =>
        _strangers.Log(LogLevel.WarningLevel, "ignored", "A worker of server '{0}' ignored {1} from {2}, which is not its leader.",
            _runtime.Name, what, Sender.IsNobody() ? "no sender" : Sender.Path);

    private void Handle(WorkBatch batch)
    {
        var jobs = new Job[batch.Items.Count];
        for (var i = 0; i < jobs.Length; i++) jobs[i] = new Job(batch.Items[i], Sender);
        After(_runner.Accept(jobs));
        // Calls run and slots are free: say so at once rather than with the first answers, which could come too late (calls
        // that wait for each other) or slowly. The leader grows this worker's window if work waits (doubling per envelope),
        // so that a worker whose functions may run N calls at once soon holds N. Once per batch at most.
        if (_runner.WantsMore) _runtime.Lanes.Tell(Sender, new WorkResults([], Starved: true), Self);
    }

    private void After(Func<Task>? rest) => _runner.Then(rest, RunTask, _answers.Flush);

    /// <summary>Whether the worker's call slots were free more than half of the time since its previous answers; starts a new period.</summary>
    private bool Starved()
    {
        var now = Stopwatch.GetTimestamp();
        var starved = 2 * _runner.TakeIdleTicks() > now - _lastAnswers;
        _lastAnswers = now;
        return starved;
    }

    private WorkResult ToResult(WorkItem item, in StepOutcome outcome)
    {
        if (outcome.Error is not null) return new WorkResult(item.Id, [], outcome.Error);
        var outputs = outcome.ToList();
        long bytes = 0;
        foreach (var output in outputs) bytes += output.Length;
        // The outputs of one call go back to the leader in one message; past this size the transport would drop it.
        var tooLarge = PayloadLimit.Check(bytes, _runtime.Settings.MaxPayloadBytes, "The outputs of one call (sent to the leader together)",
            _runtime.Name, item.Message.Step.Function, item.Message.Stage);
        if (tooLarge is null) return new WorkResult(item.Id, outputs, null);
        _runtime.Counters.AddError();
        return new WorkResult(item.Id, [], tooLarge);
    }

    /// <summary>An item of work and the leader that sent it, who gets its answer.</summary>
    private readonly record struct Job(WorkItem Item, IActorRef Leader);

    /// <summary>Answers gathered for the leader: sent when full, when a millisecond has passed since the last send, and when the worker has handled what its mailbox gave.</summary>
    private sealed class Answers
    {
        private readonly EnvelopeBatch<WorkResult> _batch;
        private readonly HoldLimit _hold;
        private IActorRef _leader = ActorRefs.Nobody;

        public Answers(ServerRuntime runtime, IActorRef self, Func<bool> starved)
        {
            _hold = new HoldLimit(MaxHold, runtime.Clock);
            _batch = new EnvelopeBatch<WorkResult>(runtime.Settings.BatchMaxMessages, runtime.Settings.BatchMaxBytes, (results, _) =>
            {
                _hold.Flushed();
                runtime.Lanes.Tell(_leader, new WorkResults(results, starved()), self);
            });
        }

        public void Add(IActorRef leader, WorkResult result)
        {
            if (!ReferenceEquals(leader, _leader) && !leader.Equals(_leader))
            {
                // A new leader (the old one left): what is gathered goes to the one that sent it.
                _batch.Flush();
                _leader = leader;
            }
            long bytes = 0;
            foreach (var output in result.Outputs) bytes += output.Length;
            if (!_batch.Add(result, bytes) && _hold.Expired) Flush();
        }

        public void Flush()
        {
            if (!_batch.Flush()) _hold.Flushed();
        }
    }

    /// <summary>
    /// A function allowed more calls at once than the leader keeps messages on a worker never gets them:
    /// each setting is valid alone (a serial server of the same class would run them all), so this is a
    /// warning at start, naming both, not an error.
    /// </summary>
    private void WarnOfConcurrencyAboveWindow()
    {
        var window = _parallel.WorkerWindow;
        foreach (var name in _runtime.Functions.Names)
        {
            if (!_runtime.Functions.TryGet(name, out var function)) continue;
            var limit = _runner.LimitOf(function);
            if (limit <= window) continue;
            _runtime.Log.Warning(
                "A worker of server '{0}': function '{1}' may run {2} calls at once (its MaxConcurrency, or palm.server.max-concurrency), but a leader keeps "
                + "at most palm.butterfly.worker-window = {3} messages on a worker, so at most {3} run at once. Raise palm.butterfly.worker-window to {2}, "
                + "or lower the function's concurrency.", _runtime.Name, name, limit, window);
        }
    }
}
