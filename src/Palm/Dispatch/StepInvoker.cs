using Akka.Event;
using System.Diagnostics;
using Palm.Messages;
using Palm.Servers;

namespace Palm.Dispatch;

/// <summary>
/// The one place where a step meets user code, shared by every template: find the function the
/// current step names, call it, time it, and turn whatever happens (including an exception, which
/// is logged with its stack trace) into a <see cref="StepOutcome"/>.
/// </summary>
internal sealed class StepInvoker(ServerRuntime runtime)
{
    public string Server => runtime.Name;

    /// <summary>Finds the function for the message's current step, or explains why there is none.</summary>
    public PalmError? Resolve(PipelineMessage message, out ServerFunction function)
    {
        var step = message.Step;
        if (!string.Equals(step.Server, runtime.Name, StringComparison.Ordinal))
        {
            function = null!;
            return new PalmError(PalmErrorKind.Misrouted, runtime.Name, step.Function, message.Stage, null,
                $"Step {message.Stage} names server '{step.Server}' but the message reached '{runtime.Name}'.");
        }
        if (runtime.Functions.TryGet(step.Function, out function)) return null;
        return new PalmError(PalmErrorKind.UnknownFunction, runtime.Name, step.Function, message.Stage, null,
            $"Server '{runtime.Name}' has no function '{step.Function}'; it has: {string.Join(", ", runtime.Functions.Names)}.");
    }

    /// <summary>Calls <paramref name="function"/> on the message; completes synchronously unless the function is truly asynchronous.</summary>
    public ValueTask<StepOutcome> Invoke(ServerFunction function, PipelineMessage message)
    {
        runtime.Counters.AddIn();
        var started = Stopwatch.GetTimestamp();
        try
        {
            var context = function.WantsContext ? new MessageContext(runtime.Name, message) : null;
            var pending = function.Call(runtime.Instance, message.Payload, context);
            if (!pending.IsCompletedSuccessfully) return Finish(pending, function, message, started);
            return new ValueTask<StepOutcome>(Done(StepOutcome.From(pending.Result), started));
        }
        catch (Exception e)
        {
            return new ValueTask<StepOutcome>(Failed(e, function, message, started));
        }
    }

    private async ValueTask<StepOutcome> Finish(ValueTask<object?> pending, ServerFunction function, PipelineMessage message, long started)
    {
        try
        {
            return Done(StepOutcome.From(await pending), started);
        }
        catch (Exception e)
        {
            return Failed(e, function, message, started);
        }
    }

    private StepOutcome Done(StepOutcome outcome, long started)
    {
        runtime.Counters.AddUserTime(Stopwatch.GetTimestamp() - started);
        runtime.Counters.AddOut(outcome.Count);
        return outcome;
    }

    private StepOutcome Failed(Exception e, ServerFunction function, PipelineMessage message, long started)
    {
        runtime.Counters.AddUserTime(Stopwatch.GetTimestamp() - started);
        runtime.Counters.AddError();
        runtime.Log.Error(e, "Function {0}.{1} failed on job {2} input {3} (step {4}).",
            runtime.Name, function.Name, message.Job.JobId, message.InputId, message.Stage);
        return StepOutcome.Failed(new PalmError(PalmErrorKind.FunctionFailed, runtime.Name, function.Name, message.Stage,
            e.GetType().FullName, e.Message));
    }
}
