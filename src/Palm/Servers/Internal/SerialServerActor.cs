using Akka.Actor;
using Palm.Cluster;
using Palm.Dispatch;
using Palm.Messages;

namespace Palm.Servers.Internal;

/// <summary>
/// A <see cref="RegisteredServer"/>: one message at a time, on its own thread, through the shared
/// <see cref="StepRunner"/>; every outcome goes to the shared <see cref="Forwarder"/>, flushed once the
/// batch is done.
/// </summary>
internal sealed class SerialServerActor : ReceiveActor
{
    private readonly ServerRuntime _runtime;
    private readonly StepRunner _runner;
    private readonly Forwarder _forwarder;
    private readonly Action<PipelineMessage, StepOutcome> _emit;

    public SerialServerActor(ServerRuntime runtime)
    {
        _runtime = runtime;
        _runner = new StepRunner(runtime);
        _forwarder = new Forwarder(runtime, Self);
        _emit = (message, outcome) => _forwarder.Emit(message, outcome);
        Receive<Deliver>(Handle);
        Receive<GetServerStatus>(_ => Sender.Tell(runtime.Counters.Snapshot(runtime.Name, runtime.Instance.TemplateName, "serial", runtime.NodeAddress, 0)));
    }

    protected override void PreStart() => _runtime.Instance.Started();

    private void Handle(Deliver batch)
    {
        var rest = _runner.Run(batch.Messages, static m => m, _emit);
        if (rest is null)
        {
            _forwarder.Flush();
            return;
        }
        RunTask(async () =>
        {
            await rest();
            _forwarder.Flush();
        });
    }
}
