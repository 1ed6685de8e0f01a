using Akka.Actor;
using Palm.Discovery;
using Palm.Dispatch;
using Palm.Messages;
using Palm.Servers;

namespace Palm.Templates.Internal;

/// <summary>
/// The actor of the serial template, <see cref="RegisteredServer"/> ("standalone" in status output): its messages in order,
/// on its own thread, through the shared <see cref="StepRunner{T}"/> and <see cref="Forwarder"/>
/// (docs/internals.md#registeredserveractor).
/// </summary>
internal sealed class RegisteredServerActor : ReceiveActor
{
    private readonly ServerRuntime _runtime;
    private readonly StepRunner<PipelineMessage> _runner;
    private readonly Forwarder _forwarder;

    public RegisteredServerActor(ServerRuntime runtime)
    {
        _runtime = runtime;
        _forwarder = new Forwarder(runtime, Self, Context.System.Scheduler);
        _runner = new StepRunner<PipelineMessage>(runtime, Self, static m => m, (message, outcome) => _forwarder.Emit(message, outcome));
        Receive<Deliver>(batch => After(_runner.Accept(batch.Messages)));
        Receive<ResumeSteps>(_ => After(_runner.Resume()));
        Receive<RetryHeldOutputs>(_ => _forwarder.RetryHeld());
        Receive<GetServerStatus>(_ => Sender.Tell(runtime.Status()));
    }

    protected override void PreStart() => _runtime.Instance.Started();

    private void After(Func<Task>? rest) => _runner.Then(rest, RunTask, _forwarder.Flush);
}
