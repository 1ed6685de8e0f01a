using Akka.Actor;
using Palm.Dispatch;
using Palm.Messages;
using Palm.Templates.Internal;
using Palm.Templates.Parallel.Internal;

namespace Palm.Templates.Source.Internal;

/// <summary>
/// A <see cref="Servers.SourceServer"/>'s part: a message for a generator starts it, and the sequence is pulled only while
/// the job's <see cref="SourceCredit"/> allows, each payload leaving as a message of the stage's own
/// (docs/internals.md#sourcestage).
/// </summary>
internal sealed class SourceStage(LeaderOps ops) : ILeaderStage
{
    /// <summary>Payloads pulled per turn of the actor before it lets other messages in.</summary>
    private const int Slice = 256;

    private readonly UserCall _calls = new(ops.Runtime);
    private readonly Dictionary<(Guid Job, int Stage), SourceJob> _jobs = new();
    private readonly FlushedJobs _flushed = new(ops, "source");
    private readonly HashSet<IActorRef> _clients = new();

    public void Accept(PipelineMessage message)
    {
        if (!ops.Runtime.Functions.TryGet(message.Step.Function, out var function) || !function.IsGenerator)
        {
            ops.Enqueue(message);
            return;
        }
        var key = (message.Job.JobId, message.Stage);
        if (_flushed.Contains(key))
        {
            _flushed.Refuse(message, function.Name);
            return;
        }
        if (!_calls.TryStartGenerator(function, message, out var sequence, out var error) || !Generator.TryOpen(function.Name, message, sequence!, _calls, out var generator, out error))
        {
            ops.Forwarder.Fail(message, error);
            return;
        }
        if (!_jobs.TryGetValue(key, out var job))
        {
            _jobs[key] = job = new SourceJob(message.Job, message.Stage);
            if (_clients.Add(message.Job.Client)) ops.Watch(message.Job.Client);
        }
        job.Generators.Enqueue(generator);
        ops.Forwarder.Report(message.Job, OwnMessages.AbsorbedReport(message.InputId, message.Weight, message.Stage, wantsCredit: true));
        Pump(job);
    }

    public void Answered(PipelineMessage work, in StepOutcome outcome) => ops.Forwarder.Emit(work, outcome);

    public bool Handle(object message, IActorRef sender)
    {
        switch (message)
        {
            case SourceCredit { Allowed: SourceCredit.Stop } stop:
                if (_jobs.Remove((stop.JobId, stop.Stage), out var stopped))
                {
                    while (stopped.Generators.TryDequeue(out var generator)) generator.Dispose();
                    _flushed.Add((stop.JobId, stop.Stage), stopped.Made);
                }
                return true;
            case SourceCredit credit:
                if (_jobs.TryGetValue((credit.JobId, credit.Stage), out var job))
                {
                    job.Allowed = Math.Max(job.Allowed, credit.Allowed);
                    Pump(job);
                }
                return true;
            case StageFlush flush:
                Flush(flush, sender);
                return true;
            case PullMore more:
                if (_jobs.TryGetValue(more.Key, out job))
                {
                    job.PullScheduled = false;
                    Pump(job);
                }
                return true;
            case Stepped stepped:
                if (_jobs.TryGetValue(stepped.Key, out job) && job.Generators.TryPeek(out var current) && ReferenceEquals(current, stepped.Generator))
                {
                    current.Waiting = false;
                    if (stepped.Failure is not null) Failed(job, current, _calls.Error(stepped.Failure, current.Function, current.Seed));
                    else if (stepped.HasItem) Emit(job, current.Async!.Current);
                    else End(job);
                    Pump(job);
                }
                return true;
            case Terminated gone:
                DropJobsOf(gone.ActorRef);
                return true;
            default:
                return false;
        }
    }

    /// <summary>Pulls the job's current generator while credit allows, a slice per turn; an asynchronous step that does not complete at once continues on <see cref="Stepped"/>.</summary>
    private void Pump(SourceJob job)
    {
        var pulled = 0;
        while (job.Generators.TryPeek(out var generator) && !generator.Waiting && job.Made < job.Allowed)
        {
            if (pulled++ == Slice)
            {
                if (!job.PullScheduled)
                {
                    job.PullScheduled = true;
                    ops.Self.Tell(new PullMore((job.Header.JobId, job.Stage)));
                }
                break;
            }
            if (generator.Sync is { } items)
            {
                if (!_calls.TryRun(generator.Function, generator.Seed, items, static e => e.MoveNext(), out var has, out var error)) Failed(job, generator, error);
                else if (has) Emit(job, items.Current);
                else End(job);
                continue;
            }
            ValueTask<bool> step;
            try
            {
                step = generator.Async!.MoveNextAsync();
            }
            catch (Exception e)
            {
                Failed(job, generator, _calls.Error(e, generator.Function, generator.Seed));
                continue;
            }
            if (step.IsCompletedSuccessfully)
            {
                if (step.Result) Emit(job, generator.Async.Current);
                else End(job);
                continue;
            }
            generator.Waiting = true;
            var key = (job.Header.JobId, job.Stage);
            step.AsTask().PipeTo(ops.Self, success: has => new Stepped(key, generator, has, null),
                failure: e => new Stepped(key, generator, false, e is AggregateException { InnerException: { } inner } ? inner : e));
        }
        if (job.Made > job.Announced)
        {
            job.Announced = job.Made;
            ops.Forwarder.Report(job.Header, OwnMessages.EmittedReport(job.Stage, job.Made, final: false));
        }
        TryFinish(job);
    }

    private void Emit(SourceJob job, ReadOnlyMemory<byte> payload)
    {
        ops.Runtime.Counters.AddOut(1);
        ops.Forwarder.Emit(job.NextMessage(), StepOutcome.One(payload));
    }

    /// <summary>A generator threw: one error result (a message of the stage's own) names it, and the generator ends.</summary>
    private void Failed(SourceJob job, Generator generator, PalmError error)
    {
        ops.Forwarder.Fail(job.NextMessage(), error);
        End(job);
    }

    private static void End(SourceJob job) => job.Generators.Dequeue().Dispose();

    private void Flush(StageFlush flush, IActorRef client)
    {
        var held = _jobs.TryGetValue((flush.JobId, flush.Stage), out var job);
        if (_flushed.TryAnswer(flush, client, held)) return;
        job!.FlushWanted = true;
        TryFinish(job);
    }

    /// <summary>Once the client has asked and every generator of the job has ended: the final count, and the job is forgotten.</summary>
    private void TryFinish(SourceJob job)
    {
        if (!job.FlushWanted || job.Generators.Count > 0) return;
        var key = (job.Header.JobId, job.Stage);
        _jobs.Remove(key);
        _flushed.Add(key, job.Made);
        ops.Forwarder.Report(job.Header, OwnMessages.EmittedReport(job.Stage, job.Made, final: true));
    }

    private void DropJobsOf(IActorRef client)
    {
        if (!_clients.Remove(client)) return;
        foreach (var (key, job) in _jobs.Where(j => j.Value.Header.Client.Equals(client)).ToList())
        {
            while (job.Generators.TryDequeue(out var generator)) generator.Dispose();
            _jobs.Remove(key);
        }
    }

    /// <summary>What the source holds for one job at one stage: its generators, in the order their seeds came, and how far they may go.</summary>
    private sealed class SourceJob(JobHeader header, int stage)
    {
        public JobHeader Header { get; } = header;
        public int Stage { get; } = stage;
        public Queue<Generator> Generators { get; } = new();

        /// <summary>Messages made so far (numbered from 0), and how many the client was told of.</summary>
        public long Made { get; private set; }
        public long Announced { get; set; }

        /// <summary>How many messages the client allows (<see cref="SourceCredit"/>); none until its first credit.</summary>
        public long Allowed { get; set; }

        public bool FlushWanted { get; set; }
        public bool PullScheduled { get; set; }

        public PipelineMessage NextMessage() => new(Header, Stage, OwnMessages.Id(Stage, Made++), Weights.Whole, default);
    }

    private sealed record PullMore((Guid Job, int Stage) Key);

    private sealed record Stepped((Guid Job, int Stage) Key, Generator Generator, bool HasItem, Exception? Failure);
}
