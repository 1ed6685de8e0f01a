using Palm.Messages;
using Palm.Servers;

namespace Palm.Dispatch;

/// <summary>
/// The loop every actor that runs user code makes over a batch: resolve each message's step, invoke
/// the function, and hand the outcome (an error outcome when the step cannot be resolved) to a sink.
/// Synchronous functions run in a plain loop; at the first call that really awaits, the rest of the
/// batch becomes a continuation that the actor runs with <c>RunTask</c>, so that its mailbox waits and
/// calls stay one at a time and in order.
/// </summary>
internal sealed class StepRunner(ServerRuntime runtime)
{
    private readonly StepInvoker _invoker = new(runtime);

    /// <summary>Runs <paramref name="items"/>; returns null when all ran synchronously, otherwise the rest of the batch to await.</summary>
    public Func<Task>? Run<T>(IReadOnlyList<T> items, Func<T, PipelineMessage> messageOf, Action<T, StepOutcome> sink)
    {
        for (var i = 0; i < items.Count; i++)
        {
            var pending = Step(items[i], messageOf, sink);
            if (pending.IsCompletedSuccessfully) continue;
            var rest = i + 1;
            return async () =>
            {
                await pending;
                for (var j = rest; j < items.Count; j++) await Step(items[j], messageOf, sink);
            };
        }
        return null;
    }

    private ValueTask Step<T>(T item, Func<T, PipelineMessage> messageOf, Action<T, StepOutcome> sink)
    {
        var message = messageOf(item);
        var error = _invoker.Resolve(message, out var function);
        if (error is not null)
        {
            runtime.Counters.AddError();
            sink(item, StepOutcome.Failed(error));
            return ValueTask.CompletedTask;
        }
        var outcome = _invoker.Invoke(function, message);
        if (!outcome.IsCompletedSuccessfully) return Later(item, outcome, sink);
        sink(item, outcome.Result);
        return ValueTask.CompletedTask;
    }

    private static async ValueTask Later<T>(T item, ValueTask<StepOutcome> outcome, Action<T, StepOutcome> sink) =>
        sink(item, await outcome);
}
