using Akka.Event;
using Akka.Actor;
using Palm.Discovery;
using Palm.Messages;
using Palm.Messages.Internal;
using Palm.Servers;

namespace Palm.Dispatch;

/// <summary>
/// The other half of the shared dispatch path: splits a step's completion weight over its outputs and buffers each for the
/// next server or the client until <see cref="Flush"/>. An output for a server the directory does not list yet is held, not
/// failed (docs/internals.md#forwarder).
/// </summary>
internal sealed class Forwarder(ServerRuntime runtime, IActorRef self, IScheduler scheduler)
{
    /// <summary>How often held outputs look for their server again while no other message comes.</summary>
    public static readonly TimeSpan RetryInterval = TimeSpan.FromMilliseconds(50);

    private readonly Dictionary<IActorRef, EnvelopeBatch<PipelineMessage>> _outboxes = new();
    private readonly Dictionary<Guid, EnvelopeBatch<ResultItem>> _results = new();
    private readonly int _maxMessages = runtime.Settings.BatchMaxMessages;
    private readonly int _maxBytes = runtime.Settings.BatchMaxBytes;
    private readonly UserCall _calls = new(runtime);
    private readonly DirectoryLookup _directory = new(runtime.Directory);

    // A mailbox batch running longer than this since the last flush sends its outputs as they come:
    // a batch of slow calls streams its results instead of returning them all at its end, so a
    // client sees its job make progress (palm.client.progress-timeout) however long the batch runs.
    private static readonly TimeSpan MaxHold = TimeSpan.FromMilliseconds(200);
    private readonly HoldLimit _hold = new(MaxHold, runtime.Clock);

    // The last outbox and result buffer used (and the directory entry, in _directory): a dense stream goes to one place, so
    // most messages skip the dictionary lookups (and the actor-ref hashing) entirely.
    private IActorRef? _lastTarget;
    private EnvelopeBatch<PipelineMessage>? _lastBox;
    private JobHeader? _lastJob;
    private EnvelopeBatch<ResultItem>? _lastResults;

    private readonly List<HeldOutput> _held = [];
    // Held outputs were last tried against this directory; until it changes or a deadline passes, trying again is pointless.
    private DirectorySnapshot? _heldTried;
    private long _heldUntil = long.MaxValue;
    private bool _retryScheduled;

    private readonly record struct HeldOutput(PipelineMessage Message, long Deadline);

    /// <summary>Forwards the outputs of one call on <paramref name="input"/>.</summary>
    public void Emit(PipelineMessage input, in StepOutcome outcome)
    {
        if (outcome.Error is not null)
        {
            Fail(input, outcome.Error);
            return;
        }
        var count = outcome.Count;
        if (count == 0)
        {
            Report(input.Job, new ResultItem(input.InputId, input.Weight, ResultKind.Done, default, null));
            return;
        }
        if (count == 1)
        {
            // The common case: one output inherits the whole weight (no 128-bit division).
            Route(input, outcome[0], input.Weight, 0, 1);
            return;
        }
        if (!TrySplit(input, input.Weight, count, out var split)) return;
        for (var i = 0; i < count; i++)
            Route(input, outcome[i], split[i], i, count);
    }

    /// <summary>Sends an error result for <paramref name="input"/> to its client; the input's weight travels with it.</summary>
    public void Fail(PipelineMessage input, PalmError error) =>
        Report(input.Job, new ResultItem(input.InputId, input.Weight, ResultKind.Error, default, error));

    /// <summary>Splits <paramref name="weight"/> over <paramref name="count"/> messages, or fails <paramref name="input"/> with that share when it cannot.</summary>
    private bool TrySplit(PipelineMessage input, UInt128 weight, int count, out WeightSplit split)
    {
        if (Weights.TrySplit(weight, count, out split)) return true;
        runtime.Counters.AddError();
        Report(input.Job, new ResultItem(input.InputId, weight, ResultKind.Error, default,
            Weights.TooManyOutputs(runtime.Name, input.Step.Function, input.Stage, count)));
        return false;
    }

    private void Route(PipelineMessage input, ReadOnlyMemory<byte> payload, UInt128 weight, int index, int count)
    {
        var job = input.Job;
        if (!runtime.Functions.HasOutputHook)
        {
            if (job.Shape is null) Deliver(input, job, input.Stage + 1, payload, weight);
            else Go(input, NextHop.Continue, payload, weight);
            return;
        }
        if (!_calls.TryRun("OnOutput", input, (runtime, input, payload, index, count),
                static s => s.runtime.Instance.RouteOutput(
                    new MessageContext(s.runtime.Name, s.runtime.InstanceId, s.input) { OutputIndex = s.index, OutputCount = s.count }, s.payload),
                out var hop, out var error))
        {
            Report(job, new ResultItem(input.InputId, weight, ResultKind.Error, default, error));
            return;
        }
        if (hop.Kind != NextHop.HopKind.Several)
        {
            Go(input, hop, payload, weight);
            return;
        }
        var hops = hop.Hops!;
        if (hops.Length == 0)
        {
            Report(job, new ResultItem(input.InputId, weight, ResultKind.Done, default, null));
            return;
        }
        if (!TrySplit(input, weight, hops.Length, out var split)) return;
        for (var i = 0; i < hops.Length; i++) Go(input, hops[i], payload, split[i]);
    }

    /// <summary>Sends one message where <paramref name="hop"/> says: the fork's branches, another stage, or the client.</summary>
    private void Go(PipelineMessage input, NextHop hop, ReadOnlyMemory<byte> payload, UInt128 weight)
    {
        if (hop.HasPayload) payload = hop.Payload;
        var job = input.Job;
        var shape = job.Shape;
        if (hop.Kind is NextHop.HopKind.Continue or NextHop.HopKind.Branch && shape is not null && input.Stage == shape.Fork)
        {
            Fork(input, shape, hop, payload, weight);
            return;
        }
        if (hop.Kind == NextHop.HopKind.Branch)
        {
            runtime.Counters.AddError();
            Report(job, new ResultItem(input.InputId, weight, ResultKind.Error, default,
                new PalmError(PalmErrorKind.FunctionFailed, runtime.Name, "OnOutput", input.Stage, null,
                    $"OnOutput chose branches ({string.Join(", ", hop.ChosenBranches)}) at step {input.Stage} ({input.Step}), "
                    + (shape is null ? "but the job's route has no branches." : $"but the route forks at step {shape.Fork} ({job.Route[shape.Fork]})."))));
            return;
        }
        if (hop.Kind == NextHop.HopKind.Divert)
        {
            job = job.WithRoute([.. job.Route.AsSpan(0, input.Stage + 1), .. hop.Steps!]);
            shape = null;
        }
        Deliver(input, job, hop.Resolve(input.Stage, job.Route.Length, shape), payload, weight);
    }

    /// <summary>At a fork: the output to every branch (a tee), or to those the hook named, each with a share of its weight.</summary>
    private void Fork(PipelineMessage input, RouteShape shape, NextHop hop, ReadOnlyMemory<byte> payload, UInt128 weight)
    {
        if (hop.BranchName is { } name)
        {
            // A split's common case: one branch, the whole weight, nothing allocated.
            var index = shape.IndexOf(name);
            if (index < 0) UnknownBranch(input, shape, name, weight);
            else Deliver(input, input.Job.InBranch(index), shape.Branches[index].Start, payload, weight);
            return;
        }
        int[] chosen;
        if (hop.Kind == NextHop.HopKind.Continue) chosen = shape.All;
        else
        {
            chosen = hop.BranchNames!.Select(shape.IndexOf).Distinct().ToArray();
            if (Array.IndexOf(chosen, -1) >= 0)
            {
                UnknownBranch(input, shape, hop.BranchNames!.First(n => shape.IndexOf(n) < 0), weight);
                return;
            }
        }
        if (chosen.Length == 0)
        {
            Report(input.Job, new ResultItem(input.InputId, weight, ResultKind.Done, default, null));
            return;
        }
        if (!TrySplit(input, weight, chosen.Length, out var split)) return;
        for (var i = 0; i < chosen.Length; i++) Deliver(input, input.Job.InBranch(chosen[i]), shape.Branches[chosen[i]].Start, payload, split[i]);
    }

    private void UnknownBranch(PipelineMessage input, RouteShape shape, string name, UInt128 weight)
    {
        runtime.Counters.AddError();
        Report(input.Job, new ResultItem(input.InputId, weight, ResultKind.Error, default,
            new PalmError(PalmErrorKind.FunctionFailed, runtime.Name, "OnOutput", input.Stage, null,
                $"OnOutput chose branch '{name}', which the job's route does not have; it has: {string.Join(", ", shape.Branches.Select(b => b.Name))}.")));
    }

    /// <summary>Sends a message to stage <paramref name="next"/> of <paramref name="job"/> (the client past its end; null: dropped).</summary>
    private void Deliver(PipelineMessage input, JobHeader job, int? next, ReadOnlyMemory<byte> payload, UInt128 weight)
    {
        if (next is null)
        {
            Report(job, new ResultItem(input.InputId, weight, ResultKind.Done, default, null));
            return;
        }
        if (PayloadLimit.Check(payload.Length, runtime.Settings.MaxPayloadBytes, "The output", runtime.Name, input.Step.Function, input.Stage) is { } tooLarge)
        {
            runtime.Counters.AddError();
            Report(job, new ResultItem(input.InputId, weight, ResultKind.Error, default, tooLarge));
            return;
        }
        if (next.Value >= job.Route.Length)
        {
            Report(job, new ResultItem(input.InputId, weight, ResultKind.Payload, payload, null));
            return;
        }

        var message = new PipelineMessage(job, next.Value, input.InputId, weight, payload);
        // What waits goes first, so a server that appears gets a stream's outputs in order.
        if (_held.Count > 0) TrySendHeld();
        if (!_directory.TryFind(message.Step.Server, out var target))
        {
            Hold(message);
            return;
        }
        Send(target.Server, message);
    }

    private void Hold(PipelineMessage message)
    {
        var wait = runtime.Server.UnknownServerWait;
        if (wait <= TimeSpan.Zero)
        {
            FailUnknown(message);
            return;
        }
        var deadline = runtime.Clock.GetTimestamp() + (long)(wait.TotalSeconds * runtime.Clock.TimestampFrequency);
        _held.Add(new HeldOutput(message, deadline));
        _heldUntil = Math.Min(_heldUntil, deadline);
        _heldTried = runtime.Directory.Current;
    }

    /// <summary>Sends the held outputs whose server the directory now lists, fails those past their wait, then flushes (the owner calls this on <see cref="RetryHeldOutputs"/>).</summary>
    public void RetryHeld()
    {
        _retryScheduled = false;
        Flush();
    }

    private void TrySendHeld()
    {
        var snapshot = runtime.Directory.Current;
        var now = runtime.Clock.GetTimestamp();
        if (ReferenceEquals(snapshot, _heldTried) && now < _heldUntil) return;
        _heldTried = snapshot;
        _heldUntil = long.MaxValue;
        var kept = 0;
        foreach (var held in _held)
        {
            if (_directory.TryFind(held.Message.Step.Server, out var target)) Send(target.Server, held.Message);
            else if (now >= held.Deadline) FailUnknown(held.Message);
            else
            {
                _held[kept++] = held;
                _heldUntil = Math.Min(_heldUntil, held.Deadline);
            }
        }
        _held.RemoveRange(kept, _held.Count - kept);
    }

    private void FailUnknown(PipelineMessage message)
    {
        var step = message.Step;
        var waited = runtime.Server.UnknownServerWait > TimeSpan.Zero ? $" (waited {runtime.Server.UnknownServerWait}, palm.server.unknown-server-wait)" : "";
        runtime.Counters.AddError();
        Report(message.Job, new ResultItem(message.InputId, message.Weight, ResultKind.Error, default,
            new PalmError(PalmErrorKind.UnknownServer, step.Server, step.Function, message.Stage, null,
                $"Step {message.Stage} ({step}) names server '{step.Server}', which no node of the cluster hosts now{waited}.")));
    }

    /// <summary>Buffers a message for <paramref name="target"/>, sending the buffer when it is full.</summary>
    public void Send(IActorRef target, PipelineMessage message)
    {
        EnvelopeBatch<PipelineMessage> box;
        if (ReferenceEquals(target, _lastTarget)) box = _lastBox!;
        else
        {
            if (!_outboxes.TryGetValue(target, out box!))
                _outboxes[target] = box = new EnvelopeBatch<PipelineMessage>(_maxMessages, _maxBytes, (messages, bytes) => Tell(target, new Deliver(messages), bytes));
            (_lastTarget, _lastBox) = (target, box);
        }
        if (!box.Add(message, message.Payload.Length)) FlushIfHeldLong();
    }

    private void Tell(IActorRef target, object envelope, long payloadBytes) => runtime.Lanes.Tell(target, envelope, self, payloadBytes);

    /// <summary>
    /// Buffers a result for the job's client (also a template's own reports: a reduce's), in order with the job's other
    /// results; a payload or an error says the branch its message went through.
    /// </summary>
    public void Report(JobHeader job, ResultItem item)
    {
        if (job.Branch >= 0 && item.Kind is ResultKind.Payload or ResultKind.Error) item = item with { Branch = job.Branch };
        EnvelopeBatch<ResultItem> pending;
        if (ReferenceEquals(job, _lastJob)) pending = _lastResults!;
        else
        {
            if (!_results.TryGetValue(job.JobId, out pending!))
            {
                var (jobId, client) = (job.JobId, job.Client);
                _results[jobId] = pending = new EnvelopeBatch<ResultItem>(_maxMessages, _maxBytes, (items, bytes) => Tell(client, new ResultBatch(jobId, items), bytes));
            }
            (_lastJob, _lastResults) = (job, pending);
        }
        if (!pending.Add(item, item.Payload.Length)) FlushIfHeldLong();
    }

    private void FlushIfHeldLong()
    {
        if (_hold.Expired) Flush();
    }

    /// <summary>Sends every non-empty buffer.</summary>
    public void Flush()
    {
        _hold.Flushed();
        if (_held.Count > 0)
        {
            TrySendHeld();
            if (_held.Count > 0 && !_retryScheduled)
            {
                _retryScheduled = true;
                scheduler.ScheduleTellOnce(RetryInterval, self, RetryHeldOutputs.Instance, ActorRefs.NoSender);
            }
        }
        foreach (var box in _outboxes.Values) box.Flush();
        if (_outboxes.Count > 64)
        {
            _outboxes.Clear();
            (_lastTarget, _lastBox) = (null, null);
        }
        foreach (var pending in _results.Values) pending.Flush();
        // Jobs come and go: forget their result buffers once they are sent.
        _results.Clear();
        (_lastJob, _lastResults) = (null, null);
    }

}
