using Akka.Actor;
using Palm.Dispatch;
using Palm.Messages;
using Palm.Servers;
using Palm.Templates.Internal;
using Palm.Templates.Parallel.Internal;

namespace Palm.Templates.Sink.Internal;

/// <summary>
/// A <see cref="SinkServer"/>'s part: every output passes <see cref="SinkServer.Collect"/> here, and the summary leaves as a
/// message of the sink's own once the rest of the job is complete (docs/internals.md#sinkstage).
/// </summary>
internal sealed class SinkStage(LeaderOps ops, SinkServer server) : ILeaderStage
{
    private readonly UserCall _calls = new(ops.Runtime);
    // The jobs seen at each stage, with the header the summary leaves with.
    private readonly Dictionary<(Guid Job, int Stage), JobHeader> _seen = new();
    private readonly FlushedJobs _flushed = new(ops, "sink");
    private readonly HashSet<IActorRef> _clients = new();

    public void Accept(PipelineMessage message)
    {
        if (_flushed.Contains((message.Job.JobId, message.Stage))) _flushed.Refuse(message, message.Step.Function);
        else ops.Enqueue(message);
    }

    public void Answered(PipelineMessage work, in StepOutcome outcome)
    {
        if (outcome.Error is not null)
        {
            ops.Forwarder.Emit(work, outcome);
            return;
        }
        var key = (work.Job.JobId, work.Stage);
        if (_flushed.Contains(key))
        {
            _flushed.Refuse(work, work.Step.Function);
            return;
        }
        for (var i = 0; i < outcome.Count; i++)
        {
            var context = new MessageContext(ops.Runtime.Name, ops.Runtime.InstanceId, work) { OutputIndex = i, OutputCount = outcome.Count };
            if (!_calls.TryRun("Collect", work, (server, context, output: outcome[i]), static s =>
                {
                    s.server.CollectOutput(s.context, s.output);
                    return true;
                }, out _, out var error))
            {
                ops.Forwarder.Fail(work, error);
                return;
            }
        }
        if (!_seen.ContainsKey(key))
        {
            if (!Weights.TrySplit(work.Weight, 2, out var split))
            {
                ops.Runtime.Counters.AddError();
                ops.Forwarder.Fail(work, Weights.TooManyOutputs(ops.Runtime.Name, work.Step.Function, work.Stage, 2));
                return;
            }
            _seen[key] = work.Job.Trunk;
            if (_clients.Add(work.Job.Client)) ops.Watch(work.Job.Client);
            ops.Forwarder.Report(work.Job, OwnMessages.AbsorbedReport(work.InputId, split.Share, work.Stage));
            work = work with { Weight = split.First };
        }
        ops.Forwarder.Emit(work, outcome);
    }

    public bool Handle(object message, IActorRef sender)
    {
        switch (message)
        {
            case StageFlush flush:
                Flush(flush, sender);
                return true;
            case Terminated gone:
                DropJobsOf(gone.ActorRef);
                return true;
            default:
                return false;
        }
    }

    private void Flush(StageFlush flush, IActorRef client)
    {
        var key = (flush.JobId, flush.Stage);
        if (_flushed.TryAnswer(flush, client, _seen.ContainsKey(key))) return;
        _seen.Remove(key, out var header);
        // One message of the sink's own carries the summary (several outputs share its weight; none: it is done at once).
        var origin = new PipelineMessage(header!, flush.Stage, OwnMessages.Id(flush.Stage, 0), Weights.Whole, default);
        var summary = _calls.Outputs("OnUpstreamsComplete", origin, (server, flush.JobId), static s => s.server.Complete(s.JobId));
        server.Forget(flush.JobId);
        _flushed.Add(key, 1);
        ops.Forwarder.Emit(origin, summary);
        ops.Forwarder.Report(header!, OwnMessages.EmittedReport(flush.Stage, 1, final: true));
    }

    private void DropJobsOf(IActorRef client)
    {
        if (!_clients.Remove(client)) return;
        foreach (var (key, header) in _seen.Where(j => j.Value.Client.Equals(client)).ToList())
        {
            _seen.Remove(key);
            server.Forget(key.Job);
        }
    }
}
