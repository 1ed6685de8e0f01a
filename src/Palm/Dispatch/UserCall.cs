using System.Diagnostics;
using Akka.Event;
using Palm.Messages;
using Palm.Servers;

namespace Palm.Dispatch;

/// <summary>
/// The one policy for user code, shared by every template: each call is timed, and whatever it throws is caught, counted,
/// logged and becomes a <see cref="PalmError"/>, so a user's exception never stops a server (docs/internals.md#usercall).
/// </summary>
internal sealed class UserCall(ServerRuntime runtime)
{
    /// <summary>
    /// Finds the function the message's current step names; otherwise counts the error and explains it
    /// (the caller fails the message with <paramref name="error"/>). The one step resolution.
    /// </summary>
    public bool TryResolve(PipelineMessage message, out ServerFunction function, out PalmError error)
    {
        var step = message.Step;
        error = null!;
        if (string.Equals(step.Server, runtime.Name, StringComparison.Ordinal) && runtime.Functions.TryGet(step.Function, out function)) return true;
        function = null!;
        runtime.Counters.AddError();
        error = !string.Equals(step.Server, runtime.Name, StringComparison.Ordinal)
            ? new PalmError(PalmErrorKind.Misrouted, runtime.Name, step.Function, message.Stage, null,
                $"Step {message.Stage} names server '{step.Server}' but the message reached '{runtime.Name}'.")
            : new PalmError(PalmErrorKind.UnknownFunction, runtime.Name, step.Function, message.Stage, null,
                $"Server '{runtime.Name}' has no function '{step.Function}'; it has: {string.Join(", ", runtime.Functions.Names)}.");
        return false;
    }

    /// <summary>
    /// Calls <paramref name="call"/> (user code named <paramref name="name"/>) on behalf of <paramref name="message"/>;
    /// false, with the error, if it threw. <paramref name="call"/> should be static: its state comes in <paramref name="state"/>.
    /// </summary>
    public bool TryRun<TState, TResult>(string name, PipelineMessage message, TState state, Func<TState, TResult> call,
        out TResult result, out PalmError error)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            result = call(state);
            error = null!;
            return true;
        }
        catch (Exception e)
        {
            result = default!;
            error = Error(e, name, message);
            return false;
        }
        finally
        {
            runtime.Counters.AddUserTime(Stopwatch.GetTimestamp() - started);
        }
    }

    /// <summary>
    /// Calls user code that returns payloads (<c>Gather</c>, <c>Result</c>): the raw value is read (a lazy sequence
    /// enumerated) inside the call, and the outputs are counted.
    /// </summary>
    public StepOutcome Outputs<TState>(string name, PipelineMessage message, TState state, Func<TState, object?> call)
    {
        if (!TryRun(name, message, (call, state), static s => StepOutcome.From(s.call(s.state)), out var outcome, out var error))
            return StepOutcome.Failed(error);
        runtime.Counters.AddOut(outcome.Count);
        return outcome;
    }

    /// <summary>Calls a step's <paramref name="function"/> on the message; completes synchronously unless the function is truly asynchronous.</summary>
    public ValueTask<StepOutcome> Function(ServerFunction function, PipelineMessage message)
    {
        runtime.Counters.AddIn();
        var started = Stopwatch.GetTimestamp();
        try
        {
            var context = function.WantsContext ? new MessageContext(runtime.Name, runtime.InstanceId, message) : null;
            var pending = function.Call(runtime.Instance, message.Payload, context);
            if (!pending.IsCompletedSuccessfully) return Finish(pending, function, message, started);
            return new ValueTask<StepOutcome>(Done(StepOutcome.From(pending.Result), started));
        }
        catch (Exception e)
        {
            return new ValueTask<StepOutcome>(Done(StepOutcome.Failed(Error(e, function.Name, message)), started));
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
            return Done(StepOutcome.Failed(Error(e, function.Name, message)), started);
        }
    }

    private StepOutcome Done(StepOutcome outcome, long started)
    {
        runtime.Counters.AddUserTime(Stopwatch.GetTimestamp() - started);
        runtime.Counters.AddOut(outcome.Count);
        return outcome;
    }

    /// <summary>
    /// Calls a <see cref="SourceServer"/>'s generator on its seed <paramref name="message"/>: the sequence it returns, not yet
    /// enumerated (the source pulls it under credit, each step through <see cref="TryRun{TState, TResult}"/>), or the error.
    /// </summary>
    public bool TryStartGenerator(ServerFunction function, PipelineMessage message, out object? sequence, out PalmError error)
    {
        runtime.Counters.AddIn();
        var context = function.WantsContext ? new MessageContext(runtime.Name, runtime.InstanceId, message) : null;
        return TryRun(function.Name, message, (function, instance: runtime.Instance, message.Payload, context),
            static s => s.function.Call(s.instance, s.Payload, s.context).Result ?? throw new InvalidOperationException("The generator returned null."),
            out sequence, out error);
    }

    /// <summary>The log line of a failed user call: server, function or hook, job, input, step.</summary>
    internal const string LogLine = "User code {0}.{1} failed on job {2} input {3} (step {4}).";

    /// <summary>The error, log line and count of a failed user call, the same for every kind of user code (also one outside <see cref="TryRun{TState, TResult}"/>).</summary>
    public PalmError Error(Exception e, string name, PipelineMessage message)
    {
        runtime.Counters.AddError();
        runtime.Log.Error(e, LogLine, runtime.Name, name, message.Job.JobId, message.InputId, message.Stage);
        return new PalmError(PalmErrorKind.FunctionFailed, runtime.Name, name, message.Stage, e.GetType().FullName, e.Message);
    }
}
