using System.Buffers.Binary;
using Akka.Actor;
using Palm.Messages;
using Palm.Templates.Reduce.Internal;

namespace Palm.Client.Internal;

/// <summary>
/// The client's side of the reduces on a job's route (on the client actor only, except <see cref="Active"/>). A reduce
/// returns the weight it folds as <see cref="ResultKind.Absorbed"/> and names its stage, so the job's inputs complete as
/// usual; once the source is exhausted and every input is complete, each reduce stage, in route order, is told to flush
/// (<see cref="Templates.Reduce.ReduceFlush"/>). What a stage emits are messages of its own (negative input ids) with
/// fresh weight; its <see cref="ResultKind.Emitted"/> reports say how many, so the client waits until all of them are
/// complete before it flushes the next stage, and ends the job once the last stage's are.
/// </summary>
internal sealed class ReduceTracker
{
    private readonly SortedDictionary<int, ReduceStageState> _stages = new();
    private volatile bool _active;

    /// <summary>Some reduce folded part of the job: it ends with the flushes, not when its inputs are complete (read by the job's reader).</summary>
    public bool Active => _active;

    /// <summary>How many inputs the source had; -1 until it is exhausted.</summary>
    public long SourceTotal { get; set; } = -1;

    /// <summary>The stage told to flush and not answered yet, if any.</summary>
    public int? PendingFlush { get; private set; }

    /// <summary>Every stage flushed and every message they emitted complete: the job is over.</summary>
    public bool Ended { get; set; }

    /// <summary>Counts reports and completions of emitted messages: the job's progress once its inputs are complete.</summary>
    public long Progress { get; private set; }

    /// <summary>Emitted messages not complete yet, plus an unanswered flush: what the cluster still owes once the inputs are complete.</summary>
    public long Outstanding
    {
        get
        {
            long owed = PendingFlush is null ? 0 : 1;
            foreach (var stage in _stages.Values) owed += Math.Max(0, stage.Announced - stage.Done.Watermark);
            return owed;
        }
    }

    /// <summary>A reduce folded a branch; false if the report is malformed (then it counts for nothing).</summary>
    public bool Absorbed(in ResultItem item, IActorRef? sender)
    {
        if (item.Payload.Length != 4) return false;
        var stage = BinaryPrimitives.ReadInt32LittleEndian(item.Payload.Span);
        if (stage < 0) return false;
        var state = Stage(stage);
        if (sender is not null) state.Leader = sender;
        _active = true;
        Progress++;
        return true;
    }

    /// <summary>A reduce reports how many messages it emitted for the job (and whether it has flushed); false if malformed.</summary>
    public bool Emitted(in ResultItem item, IActorRef? sender)
    {
        if (item.Payload.Length != 9 || item.InputId is < 0 or > int.MaxValue) return false;
        var span = item.Payload.Span;
        var total = BinaryPrimitives.ReadInt64LittleEndian(span);
        if (total < 0) return false;
        var stageNumber = (int)item.InputId;
        var state = Stage(stageNumber);
        state.Announced = Math.Max(state.Announced, total);
        if (sender is not null) state.Leader ??= sender;
        if (span[8] == 1)
        {
            state.Flushed = true;
            if (PendingFlush == stageNumber) PendingFlush = null;
        }
        _active = true;
        Progress++;
        return true;
    }

    /// <summary>
    /// Weight (and maybe a result) for a message a reduce emitted. False if it is a duplicate: that message is complete
    /// already, or this is more weight than it has left.
    /// </summary>
    public bool AcceptEmitted(in ResultItem item)
    {
        var (stageNumber, n) = ReduceStage.OfEmittedId(item.InputId);
        var returned = Stage(stageNumber).Done.Return(n, item.Weight);
        if (returned == WeightReturn.Completed) Progress++;
        return returned != WeightReturn.Duplicate;
    }

    /// <summary>
    /// With every input complete: the next stage to flush (its number and leader), or none; <paramref name="wait"/> when
    /// messages emitted so far are still under way (or a flush is unanswered), which must complete first.
    /// </summary>
    public (int Stage, IActorRef Leader)? Next(out bool wait)
    {
        wait = PendingFlush is not null;
        if (wait) return null;
        foreach (var state in _stages.Values)
        {
            if (state.Done.Watermark < state.Announced)
            {
                wait = true;
                return null;
            }
        }
        foreach (var (number, state) in _stages)
            if (!state.Flushed && state.Leader is not null) return (number, state.Leader);
        return null;
    }

    /// <summary>Records that <paramref name="stage"/> was told to flush.</summary>
    public void FlushSent(int stage) => PendingFlush = stage;

    private ReduceStageState Stage(int number)
    {
        if (!_stages.TryGetValue(number, out var state)) _stages[number] = state = new ReduceStageState();
        return state;
    }

    private sealed class ReduceStageState
    {
        /// <summary>The reduce's actor (from its reports), told to flush.</summary>
        public IActorRef? Leader { get; set; }

        /// <summary>How many messages the stage said it emitted so far.</summary>
        public long Announced { get; set; }

        public bool Flushed { get; set; }

        /// <summary>The emitted messages (by number): their returned weight, and which are complete.</summary>
        public CompletionLedger Done { get; } = new();
    }
}
