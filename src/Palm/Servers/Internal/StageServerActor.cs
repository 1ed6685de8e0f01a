using Akka.Actor;
using Palm.Cluster;
using Palm.Dispatch;
using Palm.Messages;
using Palm.Servers.Butterfly.Internal;

namespace Palm.Servers.Internal;

/// <summary>
/// A parallel template started standalone (no role flag): its <see cref="ILeaderStage"/> runs here, and the work
/// items it enqueues are called by this actor itself, one at a time through the shared <see cref="StepRunner"/>,
/// instead of by workers. The same stage code, the same results, serially.
/// </summary>
internal sealed class StageServerActor : ReceiveActor, IWithTimers
{
    private readonly ServerRuntime _runtime;
    private readonly StepInvoker _invoker;
    private readonly StepRunner _runner;
    private readonly Forwarder _forwarder;
    private readonly ILeaderStage _stage;
    private readonly Action<PipelineMessage, StepOutcome> _answered;
    private List<PipelineMessage> _work = [];

    public StageServerActor(ServerRuntime runtime, Func<LeaderOps, ILeaderStage> stage)
    {
        _runtime = runtime;
        _invoker = new StepInvoker(runtime);
        _runner = new StepRunner(runtime);
        _forwarder = new Forwarder(runtime, Self);
        _stage = stage(new LeaderOps(runtime, _forwarder, _work.Add, Self, () => Timers, Context.System.Settings.Config));
        _answered = (work, outcome) => _stage.Answered(work, outcome);
        Receive<Deliver>(Handle);
        Receive<GetServerStatus>(_ => Sender.Tell(runtime.Counters.Snapshot(runtime.Name, runtime.Instance.TemplateName, "serial", runtime.NodeAddress, 0)));
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
            var error = _invoker.Resolve(message, out _);
            if (error is null) _stage.Accept(message);
            else
            {
                _runtime.Counters.AddError();
                _forwarder.Fail(message, error);
            }
        }
        RunWork();
    }

    /// <summary>Calls the function for every work item the stage enqueued, handing each outcome back to the stage.</summary>
    private void RunWork()
    {
        if (_work.Count == 0)
        {
            _forwarder.Flush();
            return;
        }
        var work = _work.ToArray();
        _work.Clear();
        var rest = _runner.Run(work, static m => m, _answered);
        if (rest is null)
        {
            // The stage may enqueue while answering (never today; cheap to honour).
            if (_work.Count > 0) RunWork();
            else _forwarder.Flush();
            return;
        }
        RunTask(async () =>
        {
            await rest();
            RunWork();
        });
    }
}
