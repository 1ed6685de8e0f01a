using Akka.Actor;
using Palm.Messages;
using Palm.Templates.Parallel.Internal;

namespace Palm.Templates.Internal;

/// <summary>
/// The (job, stage) pairs a stage that makes messages of its own (<see cref="OwnMessages"/>) has flushed, with the count it
/// answered: a repeated <see cref="StageFlush"/> gets the same answer and nothing is made twice, and a message that reaches
/// the stage afterwards is refused. Bounded: the oldest are forgotten first.
/// </summary>
/// <param name="ops">The stage's actor.</param>
/// <param name="what">What the stage is called in errors ("sink", "reduce", "source").</param>
internal sealed class FlushedJobs(LeaderOps ops, string what)
{
    private const int Remembered = 10_000;
    private readonly Dictionary<(Guid Job, int Stage), long> _totals = new();
    private readonly Queue<(Guid Job, int Stage)> _order = new();

    public bool Contains((Guid Job, int Stage) key) => _totals.ContainsKey(key);

    public void Add((Guid Job, int Stage) key, long total)
    {
        if (!_totals.TryAdd(key, total)) return;
        _order.Enqueue(key);
        if (_order.Count > Remembered) _totals.Remove(_order.Dequeue());
    }

    /// <summary>Fails (and counts) a message that reaches the stage's step after the job was flushed there.</summary>
    public void Refuse(PipelineMessage message, string function)
    {
        ops.Runtime.Counters.AddError();
        ops.Forwarder.Fail(message, new PalmError(PalmErrorKind.FunctionFailed, ops.Runtime.Name, function, message.Stage, null,
            $"The {what} at step {message.Stage} already ended this job there (everything upstream was complete); "
            + "a message that reaches it afterwards (a route that comes back to it) is not handled."));
    }

    /// <summary>
    /// Answers <paramref name="flush"/> at once when the stage answered it before (the same count: nothing is made twice) or,
    /// <paramref name="holdsJob"/> false, holds nothing of its job (0, remembered): true. False: the stage flushes the job itself.
    /// </summary>
    public bool TryAnswer(StageFlush flush, IActorRef client, bool holdsJob)
    {
        var key = (flush.JobId, flush.Stage);
        if (!_totals.TryGetValue(key, out var total))
        {
            if (holdsJob) return false;
            Add(key, total = 0);
        }
        ops.Forwarder.Report(new JobHeader(flush.JobId, client, [], null, null), OwnMessages.EmittedReport(flush.Stage, total, final: true));
        return true;
    }
}
