using Akka.Actor;
using Akka.Event;
using Palm.Diagnostics;
using Palm.Discovery;
using Palm.Dispatch;
using Palm.Messages;
using Palm.Servers;

namespace Palm.Templates.Parallel.Internal;

/// <summary>
/// The leader of a <see cref="Servers.ButterflyServer"/>, the only entry point for its name: it spreads messages over its
/// workers (<see cref="Ventilator"/>) and forwards each first answer with the completion weight of the message it answers
/// (docs/internals.md#leaderactor).
/// </summary>
internal sealed class LeaderActor : ReceiveActor, IWithTimers
{
    /// <summary>A new worker starts with this window: small, so that a slow worker never hoards messages; it grows while the worker is starved.</summary>
    private const int InitialWindow = 2;

    private readonly ServerRuntime _runtime;
    private readonly UserCall _calls;
    private readonly Forwarder _forwarder;
    private readonly Ventilator _ventilator;
    private readonly RateLimitedLog _strangers;
    private readonly ILeaderStage _stage;
    private bool _warnedNoWorkers;
    private readonly HashSet<IActorRef> _stopped = [];

    public LeaderActor(ServerRuntime runtime, ParallelSettings parallel, Func<LeaderOps, ILeaderStage> stage)
    {
        _runtime = runtime;
        _calls = new UserCall(runtime);
        _forwarder = new Forwarder(runtime, Self, Context.System.Scheduler);
        var settings = runtime.Settings;
        _ventilator = new Ventilator(InitialWindow, parallel.WorkerWindow, parallel.WorkerWindowTime, settings.BatchMaxMessages, settings.BatchMaxBytes, runtime.Lanes);
        _strangers = new RateLimitedLog(runtime.Log, RateLimitedLog.StrangerInterval);
        _stage = stage(new LeaderOps(runtime, _forwarder, _ventilator.Enqueue, Self, () => Timers, Context.System.Settings.Config, a => Context.Watch(a)));

        Receive<Deliver>(OnDeliver);
        Receive<RetryHeldOutputs>(_ => _forwarder.RetryHeld());
        Receive<WorkResults>(OnResults);
        Receive<DirectoryUpdate>(OnDirectory);
        Receive<Terminated>(t =>
        {
            // Not a worker: an actor the stage watches (a reduce watches the clients of its folds), or a worker already forgotten.
            if (_ventilator.IsWorker(t.ActorRef))
            {
                // Its node may still be announced for a while (a killed worker is noticed by DeathWatch first): never re-added.
                _stopped.Add(t.ActorRef);
                RemoveWorker(t.ActorRef, "stopped");
            }
            else _stage.Handle(t, Sender);
        });
        Receive<WorkerDraining>(_ => OnDraining());
        Receive<GetServerStatus>(_ =>
        {
            // Fresh at the question: workers may have come or gone since the last dispatch set the gauges.
            PublishGauges();
            Sender.Tell(runtime.Status());
        });
        ReceiveAny(message =>
        {
            if (!_stage.Handle(message, Sender)) Unhandled(message);
            else DispatchAndFlush();
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart()
    {
        _runtime.Instance.Started();
        _runtime.Node.Tell(SubscribeDirectory.Instance, Self);
    }

    protected override void PostStop() => _runtime.Node.Tell(UnsubscribeDirectory.Instance, Self);

    private void OnDeliver(Deliver batch)
    {
        foreach (var message in batch.Messages)
        {
            // Checked here rather than on a worker, so that a bad step fails at once even with no workers.
            if (_calls.TryResolve(message, out _, out var error))
            {
                _runtime.Counters.AddIn();
                _stage.Accept(message);
            }
            else _forwarder.Fail(message, error);
        }
        DispatchAndFlush();
    }

    private void OnResults(WorkResults answers)
    {
        var from = Sender;
        if (!_ventilator.IsWorker(from))
        {
            // Not one of this server's workers (a stranger, or a worker already forgotten): it holds nothing here.
            _strangers.Log(LogLevel.WarningLevel, "ignored", "The leader of server '{0}' ignored {1} answers from {2}, which is not one of its workers.",
                _runtime.Name, answers.Results.Count, from.IsNobody() ? "no sender" : from.Path);
            return;
        }
        foreach (var answer in answers.Results)
        {
            // Ignored (and counted) unless this worker holds the message now: late answers after a re-dispatch, duplicates.
            if (!_ventilator.Complete(from, answer.Id, out var message)) continue;
            if (answer.Error is null)
            {
                _runtime.Counters.AddOut(answer.Outputs.Count);
                _stage.Answered(message, StepOutcome.Of(answer.Outputs));
            }
            else
            {
                _runtime.Counters.AddError();
                _stage.Answered(message, StepOutcome.Failed(answer.Error));
            }
        }
        _ventilator.Answered(from, answers.Starved);
        DispatchAndFlush();
    }

    private void OnDraining()
    {
        if (_ventilator.Drain(Sender))
        {
            _runtime.Log.Info("Worker {0} of server '{1}' is shutting down: it gets no new work, and is told once it has answered what it holds.",
                Sender.Path, _runtime.Name);
            DispatchAndFlush();
        }
        else
        {
            // Not a worker here (never was, or already forgotten): it holds nothing of this leader's.
            _runtime.Lanes.Tell(Sender, WorkerDrained.Instance, Self);
        }
    }

    private void OnDirectory(DirectoryUpdate update)
    {
        var current = new DirectorySnapshot(update.Entries).WorkersOf(_runtime.Name).Select(e => e.Server).ToHashSet();
        // Stopped workers are remembered only while the directory still lists them.
        _stopped.IntersectWith(current);
        current.ExceptWith(_stopped);
        foreach (var worker in _ventilator.Workers.Select(w => w.Worker).Where(w => !current.Contains(w)).ToArray())
            RemoveWorker(worker, "left the directory");
        foreach (var worker in current)
        {
            if (!_ventilator.AddWorker(worker)) continue;
            Context.Watch(worker);
            _warnedNoWorkers = false;
            _runtime.Log.Info("Worker {0} joined server '{1}' ({2} workers).", worker.Path, _runtime.Name, _ventilator.WorkerCount);
        }
        DispatchAndFlush();
    }

    private void RemoveWorker(IActorRef worker, string why)
    {
        var requeued = _ventilator.RemoveWorker(worker);
        if (requeued < 0) return;
        // A worker that leaves with nothing unanswered is a normal departure; one that leaves work behind is worth a warning.
        _runtime.Log.Log(requeued > 0 ? LogLevel.WarningLevel : LogLevel.InfoLevel,
            "Worker {0} of server '{1}' {2}; re-dispatching its {3} unanswered messages ({4} workers left).",
            [worker.Path, _runtime.Name, why, requeued, _ventilator.WorkerCount]);
        if (_ventilator.Ignored > 0) _runtime.Log.Info("Server '{0}' has ignored {1} answers from workers that no longer held them so far.", _runtime.Name, _ventilator.Ignored);
        DispatchAndFlush();
    }

    /// <summary>The gauges status and metrics read, set once per batch of messages or answers (and when status asks).</summary>
    private void PublishGauges()
    {
        _runtime.Counters.SetInFlight(_ventilator.Waiting + _ventilator.Outstanding);
        _runtime.Counters.SetWorkers(_ventilator.WorkerCount);
    }

    private void DispatchAndFlush()
    {
        _ventilator.Dispatch(Self);
        _forwarder.Flush();
        PublishGauges();
        // Checked first: this runs for every batch of messages and of answers, and drains are rare.
        if (_ventilator.Undrained) ReportDrained();
        if (_ventilator.WorkerCount == 0 && _ventilator.Waiting > 0 && !_warnedNoWorkers)
        {
            _warnedNoWorkers = true;
            _runtime.Log.Warning("Server '{0}' has no workers; {1} messages wait in its leader until a worker joins.",
                _runtime.Name, _ventilator.Waiting);
        }
    }

    private void ReportDrained()
    {
        foreach (var drained in _ventilator.TakeDrained())
        {
            // Decided from the leader's own bookkeeping, after the answers themselves arrived: the reply cannot overtake them.
            _runtime.Lanes.Tell(drained.Worker, WorkerDrained.Instance, Self);
            _runtime.Log.Info("Worker {0} of server '{1}' drained: it holds none of the {2} messages it held when it began to shut down, nothing to re-dispatch.",
                drained.Worker.Path, _runtime.Name, drained.HeldAtDrain);
        }
    }
}
