namespace Palm.Dispatch;

/// <summary>
/// What every actor that runs user code does after handing messages to its <see cref="StepRunner{T}"/>: when
/// nothing was left waiting, its end-of-batch step at once; otherwise the rest (an awaited asynchronous
/// call) as the actor's task, so that its mailbox waits, and then the end-of-batch step.
/// </summary>
internal static class StepContinuation
{
    /// <param name="rest">What <see cref="StepRunner{T}.Accept"/> or <see cref="StepRunner{T}.Resume"/> left to await; null when nothing.</param>
    /// <param name="runTask">The actor's <c>RunTask</c>.</param>
    /// <param name="done">The actor's end-of-batch step (flush what the batch produced).</param>
    public static void Then(Func<Task>? rest, Action<Func<Task>> runTask, Action done)
    {
        if (rest is null)
        {
            done();
            return;
        }
        runTask(async () =>
        {
            await rest();
            done();
        });
    }
}
