using Akka.Actor;
using Palm.Dispatch;
using Palm.Messages;

namespace Palm.Templates.Internal;

/// <summary>
/// The (job, stage) pairs a stage that makes messages of its own (<see cref="OwnMessages"/>) has flushed, with the count it
/// answered: a repeated <see cref="StageFlush"/> gets the same answer and nothing is made twice, and a message that reaches
/// the stage afterwards is refused. Bounded: the oldest are forgotten first.
/// </summary>
internal sealed class FlushedJobs
{
    private const int Remembered = 10_000;
    private readonly Dictionary<(Guid Job, int Stage), long> _totals = new();
    private readonly Queue<(Guid Job, int Stage)> _order = new();

    public bool TryGet((Guid Job, int Stage) key, out long total) => _totals.TryGetValue(key, out total);

    public bool Contains((Guid Job, int Stage) key) => _totals.ContainsKey(key);

    public void Add((Guid Job, int Stage) key, long total)
    {
        if (!_totals.TryAdd(key, total)) return;
        _order.Enqueue(key);
        if (_order.Count > Remembered) _totals.Remove(_order.Dequeue());
    }

    /// <summary>The error of a message that reaches <paramref name="server"/>'s step after the job was flushed there.</summary>
    public static PalmError Late(string server, string function, int stage, string what) =>
        new(PalmErrorKind.FunctionFailed, server, function, stage, null,
            $"The {what} at step {stage} already ended this job there (everything upstream was complete); "
            + "a message that reaches it afterwards (a route that comes back to it) is not handled.");

    /// <summary>
    /// Answers <paramref name="flush"/> at once when the stage answered it before (the same count: nothing is made twice) or,
    /// <paramref name="holdsJob"/> false, holds nothing of its job (0, remembered): true. False: the stage flushes the job itself.
    /// </summary>
    public bool TryAnswer(StageFlush flush, IActorRef client, Forwarder forwarder, bool holdsJob)
    {
        var key = (flush.JobId, flush.Stage);
        if (!TryGet(key, out var total))
        {
            if (holdsJob) return false;
            Add(key, total = 0);
        }
        forwarder.Report(new JobHeader(flush.JobId, client, [], null, null), OwnMessages.EmittedReport(flush.Stage, total, final: true));
        return true;
    }
}
