using Akka.Actor;
using Palm.Discovery;
using Palm.Dispatch;
using Palm.Messages;
using Palm.Servers;
using Palm.Templates.Parallel.Internal;

namespace Palm.Templates.Internal;

/// <summary>
/// A parallel template started standalone (no role flag): its <see cref="ILeaderStage"/> runs here, and the work
/// items it enqueues are called by this actor itself through the shared <see cref="StepRunner{T}"/> (one at a
/// time, or up to an asynchronous function's concurrency), instead of by workers. The same stage code, the same results.
/// </summary>
internal sealed class StageServerActor : ReceiveActor, IWithTimers
{
    private readonly ServerRuntime _runtime;
    private readonly UserCall _calls;
    private readonly StepRunner<PipelineMessage> _runner;
    private readonly Forwarder _forwarder;
    private readonly ILeaderStage _stage;
    private List<PipelineMessage> _work = [];

    public StageServerActor(ServerRuntime runtime, Func<LeaderOps, ILeaderStage> stage)
    {
        _runtime = runtime;
        _calls = new UserCall(runtime);
        _forwarder = new Forwarder(runtime, Self, Context.System.Scheduler);
        _stage = stage(new LeaderOps(runtime, _forwarder, _work.Add, Self, () => Timers, Context.System.Settings.Config, a => Context.Watch(a)));
        _runner = new StepRunner<PipelineMessage>(runtime, Self, static m => m, (work, outcome) => _stage.Answered(work, outcome));
        Receive<Deliver>(Handle);
        Receive<ResumeSteps>(_ => After(_runner.Resume()));
        Receive<RetryHeldOutputs>(_ => _forwarder.RetryHeld());
        Receive<RunQueuedWork>(_ => RunWork());
        Receive<GetServerStatus>(_ =>
        {
            // The runner publishes its own messages each batch; a stage also holds work of its own.
            runtime.Counters.SetInFlight(_runner.Pending + _work.Count);
            Sender.Tell(runtime.Status());
        });
        // Only the stage watches anything here; one it no longer cares about is ignored, never a DeathPactException.
        Receive<Terminated>(t => _stage.Handle(t, Sender));
        ReceiveAny(message =>
        {
            if (_stage.Handle(message, Sender)) RunWork();
            else Unhandled(message);
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart() => _runtime.Instance.Started();

    private void Handle(Deliver batch)
    {
        foreach (var message in batch.Messages)
        {
            // As on a leader: a bad step fails before the stage sees the message.
            if (_calls.TryResolve(message, out _, out var error)) _stage.Accept(message);
            else _forwarder.Fail(message, error);
        }
        RunWork();
    }

    /// <summary>Hands every work item the stage enqueued to the runner, which calls the function and gives each outcome back to the stage.</summary>
    private void RunWork()
    {
        if (_work.Count == 0)
        {
            _forwarder.Flush();
            return;
        }
        var work = _work.ToArray();
        _work.Clear();
        After(_runner.Accept(work));
    }

    private void After(Func<Task>? rest) => _runner.Then(rest, RunTask, Done);

    private void Done()
    {
        // Work the stage enqueued while answering starts from the mailbox: concurrent calls must not start in a RunTask continuation.
        if (_work.Count > 0) Self.Tell(RunQueuedWork.Instance);
        _forwarder.Flush();
    }

    private sealed class RunQueuedWork
    {
        public static readonly RunQueuedWork Instance = new();
    }
}
