using System.Threading.Channels;
using Palm.Discovery;
using Palm.Messages;

namespace Palm.Client.Internal;

/// <summary>
/// The client side of one running job. The client actor feeds it returning weight, which its inputs'
/// <see cref="CompletionLedger"/> counts: an input is complete when all of its weight has come back, and
/// counted complete once (weight that arrives for a complete input, a duplicated message, is ignored).
/// </summary>
internal sealed class JobState(JobHeader header, string[] watchedServers, TimeSpan progressTimeout, int window = 1000)
{
    private readonly CompletionLedger _inputs = new();
    private long _issued;
    private long _accepted;

    public JobHeader Header { get; } = header;

    /// <summary>The route's servers that existed when the job started: if one leaves, the job cannot finish.</summary>
    public string[] WatchedServers { get; } = watchedServers;

    /// <summary>Inputs in flight at once; also how far a generator on the route may run ahead of what is complete.</summary>
    public int Window { get; } = window;

    /// <summary>Set when the only server of a branch left: the other branches go on, and the job fails naming it once they are quiet.</summary>
    public (string Server, string Why)? DeadBranch { get; private set; }

    /// <summary>
    /// A server of the route left the cluster: the failure to end the job with now, or null when only branches lose it
    /// (then <see cref="DeadBranch"/> names them, and the job goes on with the others until it stalls).
    /// </summary>
    public PalmJobFailedException? ServerGone(string server)
    {
        var shape = Header.Shape;
        var stages = Enumerable.Range(0, Header.Route.Length).Where(i => Header.Route[i].Server == server).ToArray();
        if (shape is null || stages.Any(i => shape.BranchOf(i) < 0))
            return FailureAt(server, $"Job {Header.JobId} failed: server '{server}' on its route left the cluster while the job ran.");
        var branches = string.Join(", ", stages.Select(i => $"'{shape.Branches[shape.BranchOf(i)].Name}'").Distinct());
        DeadBranch ??= (server, $"server '{server}' of branch {branches} left the cluster while the job ran; the other branches' results were delivered");
        return null;
    }

    /// <summary>A server of the route did not answer a status request after the job had waited a progress-timeout.</summary>
    public PalmJobFailedException SilentFailure(ServerEntry silent, TimeSpan askTimeout) => FailureAt(silent.Name,
        $"Job {Header.JobId} failed: {Quiet(ProgressTimeout)} while {Outstanding()}, "
        + $"and server '{silent.Name}' ({silent.Node}) on the route did not answer a status request within {Seconds(askTimeout)}: "
        + "it is stuck in a call that does not return, overloaded, or unreachable.");

    /// <summary>Every server answered, and still nothing arrived for another progress-timeout.</summary>
    public PalmJobFailedException LostFailure(DirectorySnapshot directory)
    {
        var servers = string.Join(", ", Header.Route.Select(s => s.Server).Distinct().Select(s => $"'{s}'"));
        var first = Header.Route[0];
        var where = directory.TryGet(first.Server, out var entry) ? $" ({entry.Node})" : "";
        return FailureAt(first.Server, $"Job {Header.JobId} failed: {Quiet(ProgressTimeout * 2)} although every server on the route "
            + $"({servers}) answered a status request; {Outstanding()}. The client sent them to server '{first.Server}'{where} "
            + $"for step 0 ({first}) and has heard nothing of them since: they or their results were lost in transit.");
    }

    /// <summary>A branch's server left; the other branches have gone quiet since: what that branch held is lost.</summary>
    public PalmJobFailedException BranchLostFailure()
    {
        var (server, why) = DeadBranch!.Value;
        return FailureAt(server, $"Job {Header.JobId} failed: {why}, and nothing came back for {Seconds(ProgressTimeout)} since; {Outstanding()}.");
    }

    /// <summary>The job's failure <paramref name="message"/>, pinned on <paramref name="server"/> and its first function on the route.</summary>
    private PalmJobFailedException FailureAt(string server, string message) =>
        new(message, server, Header.Route.Where(s => s.Server == server).Select(s => s.Function).FirstOrDefault());

    private string Quiet(TimeSpan time) => $"nothing of input {OldestMark().Input} (its oldest outstanding) came back for {Seconds(time)}";

    private string Outstanding()
    {
        var owed = Owed;
        var ids = FirstOutstanding(5);
        var list = string.Join(", ", ids) + (owed > ids.Count ? ", ..." : "");
        return owed == 1 ? $"1 input was outstanding (input {list})" : $"{owed} inputs were outstanding (inputs {list})";
    }

    private static string Seconds(TimeSpan t) => $"{t.TotalSeconds:0.###} s";

    /// <summary>How long the job may wait for a result while the cluster owes it some (see <c>palm.client.progress-timeout</c>).</summary>
    public TimeSpan ProgressTimeout { get; } = progressTimeout;

    public Channel<JobEvent> Events { get; } = Channel.CreateUnbounded<JobEvent>(new UnboundedChannelOptions { SingleReader = true });

    public bool Failed { get; private set; }

    /// <summary>Inputs counted complete (on the client actor).</summary>
    public long Completed { get; private set; }

    /// <summary>Results and weight ignored because their input was already complete, or because they returned more weight than was left.</summary>
    public long Duplicates { get; private set; }

    /// <summary>
    /// Inputs the cluster has been given or that were answered locally (ids below this value), written
    /// by the input pump once they have left; the cluster owes results for those not yet complete.
    /// </summary>
    public long Issued => Volatile.Read(ref _issued);

    /// <summary>Results the cluster still owes: inputs issued and not complete (never negative), then what reduces owe at the end.</summary>
    public long Owed => Math.Max(0, Issued - Completed) + (Stages.Active && !Stages.Ended && Stages.SourceTotal >= 0 ? Stages.Outstanding : 0);

    /// <summary>The reduces on the job's route (on the client actor).</summary>
    public StageTracker Stages { get; } = new();

    /// <summary>The progress watch the client actor keeps for the job (on the client actor only).</summary>
    public ProgressWatch Watch { get; } = new();

    /// <summary>Called by the input pump (or eval) once inputs below <paramref name="count"/> have left.</summary>
    public void MarkIssued(long count)
    {
        // Only the pump writes; the client actor reads.
        if (count > _issued) Volatile.Write(ref _issued, count);
    }

    /// <summary>How many complete ids are kept above the watermark (the inputs completed out of order).</summary>
    public int CompleteAboveWatermark => _inputs.CompleteAbove;

    public bool IsComplete(long id) => _inputs.IsComplete(id);

    /// <summary>
    /// The oldest input not complete and how much of its weight has returned: while the cluster owes
    /// results, this changes whenever the oldest input makes progress (or completes).
    /// </summary>
    public (long Input, UInt128 Returned, long Reduce) OldestMark() =>
        // With a branch gone, inputs that were in it never complete: any result is progress while the other branches run.
        (_inputs.Watermark, _inputs.Returned(_inputs.Watermark), Stages.Progress + (DeadBranch is null ? 0 : _accepted));

    /// <summary>Up to <paramref name="max"/> ids of issued inputs that are not complete, lowest first.</summary>
    public List<long> FirstOutstanding(int max)
    {
        var ids = new List<long>(max);
        var issued = Issued;
        for (var id = _inputs.Watermark; id < issued && ids.Count < max; id++)
            if (!_inputs.IsComplete(id)) ids.Add(id);
        return ids;
    }

    /// <summary>Called on the client actor only, with the batch's sender (a reduce's reports name it). Returns how many items it ignored as duplicates.</summary>
    public int Accept(ResultBatch batch, Akka.Actor.IActorRef? sender = null)
    {
        if (Failed) return 0;
        var ignored = 0;
        var items = batch.Items;
        _accepted += items.Count;
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            var id = item.InputId;
            if (item.Kind == ResultKind.Emitted || id < 0 || (item.Kind == ResultKind.Absorbed && !Stages.Absorbed(item, sender)))
            {
                if (!AcceptReduce(item, sender)) ignored++;
                continue;
            }
            switch (_inputs.Return(id, item.Weight))
            {
                case WeightReturn.Duplicate:
                    ignored++;
                    break;
                case WeightReturn.Partial:
                    if (ResultOf(item) is { } result) Events.Writer.TryWrite(JobEvent.Of(result));
                    break;
                case WeightReturn.Completed:
                    // The input's last result (if any) and its completion, in one event.
                    Events.Writer.TryWrite(new JobEvent(ResultOf(item), id, -1, null));
                    Completed++;
                    break;
            }
        }
        Duplicates += ignored;
        return ignored;
    }

    /// <summary>A reduce's report, or a branch of a message a reduce emitted (negative ids); false if ignored.</summary>
    private bool AcceptReduce(in ResultItem item, Akka.Actor.IActorRef? sender)
    {
        if (item.Kind == ResultKind.Emitted) return Stages.Emitted(item, sender);
        if (item.InputId >= 0) return false; // a malformed Absorbed report
        if (item.Kind == ResultKind.Absorbed && !Stages.Absorbed(item, sender)) return false;
        if (!Stages.AcceptEmitted(item, out var completed)) return false;
        var result = ResultOf(item);
        if (result is not null || completed >= 0) Events.Writer.TryWrite(new JobEvent(result, -1, -1, null) { OwnStage = completed });
        return true;
    }

    /// <summary>Messages of each stage's own that the job's reader has taken complete (written by the reader, read by the client actor).</summary>
    private readonly Dictionary<int, long> _consumed = new();

    /// <summary>How many messages the stage at <paramref name="stage"/> made that are complete and taken by the reader.</summary>
    public long Consumed(int stage)
    {
        lock (_consumed) return _consumed.GetValueOrDefault(stage);
    }

    /// <summary>The reader took a completed message of <paramref name="stage"/>'s own; true every quarter window (time to tell the client actor).</summary>
    public bool MarkConsumed(int stage)
    {
        long taken;
        lock (_consumed) _consumed[stage] = taken = _consumed.GetValueOrDefault(stage) + 1;
        return taken % Math.Max(1, Window / 4) == 0;
    }

    public void Fail(Exception e)
    {
        if (Failed) return;
        Failed = true;
        Events.Writer.TryWrite(JobEvent.Failed(e));
    }

    private JobResult? ResultOf(in ResultItem item) =>
        item.Kind is ResultKind.Done or ResultKind.Absorbed ? null
            : new JobResult(item.InputId, item.Payload, item.Error, item.Branch >= 0 && Header.Shape is { } shape && item.Branch < shape.Branches.Count ? shape.Branches[item.Branch].Name : null);
}
