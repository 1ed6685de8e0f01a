using Palm.Cluster;
using Akka.Actor;
using Palm.Dispatch;
using Palm.Messages;

namespace Palm.Servers.Internal;

/// <summary>
/// A <see cref="RegisteredServer"/>: one message at a time, on its own thread. Synchronous functions
/// run in a plain loop over the batch; the first call that really awaits switches the rest of the
/// batch to an async continuation, during which the mailbox waits (serial order is kept).
/// </summary>
internal sealed class SerialServerActor : ReceiveActor
{
    private readonly ServerRuntime _runtime;
    private readonly StepInvoker _invoker;
    private readonly Forwarder _forwarder;

    public SerialServerActor(ServerRuntime runtime)
    {
        _runtime = runtime;
        _invoker = new StepInvoker(runtime);
        _forwarder = new Forwarder(runtime, Self);
        Receive<Deliver>(Handle);
        Receive<GetServerStatus>(_ => Sender.Tell(runtime.Counters.Snapshot(runtime.Name, runtime.Instance.TemplateName, "serial", runtime.NodeAddress, 0)));
    }

    protected override void PreStart() => _runtime.Instance.Started();

    private void Handle(Deliver batch)
    {
        var messages = batch.Messages;
        for (var i = 0; i < messages.Count; i++)
        {
            var pending = Process(messages[i]);
            if (!pending.IsCompletedSuccessfully)
            {
                var rest = i + 1;
                RunTask(async () =>
                {
                    await pending;
                    for (var j = rest; j < messages.Count; j++) await Process(messages[j]);
                    _forwarder.Flush();
                });
                return;
            }
        }
        _forwarder.Flush();
    }

    private ValueTask Process(PipelineMessage message)
    {
        var error = _invoker.Resolve(message, out var function);
        if (error is not null)
        {
            _runtime.Counters.AddError();
            _forwarder.Fail(message, error);
            return ValueTask.CompletedTask;
        }
        var outcome = _invoker.Invoke(function, message);
        if (outcome.IsCompletedSuccessfully)
        {
            _forwarder.Emit(message, outcome.Result);
            return ValueTask.CompletedTask;
        }
        return EmitLater(message, outcome);
    }

    private async ValueTask EmitLater(PipelineMessage message, ValueTask<StepOutcome> outcome) =>
        _forwarder.Emit(message, await outcome);
}
