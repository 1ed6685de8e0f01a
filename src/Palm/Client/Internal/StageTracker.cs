using Akka.Actor;
using Palm.Messages;

namespace Palm.Client.Internal;

/// <summary>
/// The client's side of the route's stages that make messages of their own (<see cref="OwnMessages"/>): it flushes them in
/// route order and ends the job once everything they made is complete. Used on the client actor only, except
/// <see cref="Active"/> (docs/internals.md#stagetracker).
/// </summary>
internal sealed class StageTracker
{
    private readonly SortedDictionary<int, OwnStageState> _stages = new();
    /// <summary>Some reduce folded part of the job: it ends with the flushes, not when its inputs are complete (read by the job's reader).</summary>
    public bool Active { get => Volatile.Read(ref field); private set => Volatile.Write(ref field, value); }

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

    /// <summary>A stage absorbed weight (a reduce folded a branch, a generator took its seed, a sink saw the job); false if the report is malformed (then it counts for nothing).</summary>
    public bool Absorbed(in ResultItem item, IActorRef? sender)
    {
        if (!OwnMessages.TryReadAbsorbed(item.Payload.Span, out var stage, out var wantsCredit)) return false;
        var state = Stage(stage);
        state.WantsCredit |= wantsCredit;
        if (sender is not null) state.Leader = sender;
        Active = true;
        Progress++;
        return true;
    }

    /// <summary>A stage reports how many messages it made for the job (and whether that is final); false if malformed.</summary>
    public bool Emitted(in ResultItem item, IActorRef? sender)
    {
        if (item.InputId is < 0 or > int.MaxValue || !OwnMessages.TryReadEmitted(item.Payload.Span, out var total, out var final)) return false;
        var stageNumber = (int)item.InputId;
        var state = Stage(stageNumber);
        state.Announced = Math.Max(state.Announced, total);
        if (sender is not null) state.Leader ??= sender;
        if (final)
        {
            state.Flushed = true;
            if (PendingFlush == stageNumber) PendingFlush = null;
        }
        Active = true;
        Progress++;
        return true;
    }

    /// <summary>
    /// Weight (and maybe a result) for a message a reduce emitted. False if it is a duplicate: that message is complete
    /// already, or this is more weight than it has left.
    /// </summary>
    public bool AcceptEmitted(in ResultItem item, out int completedStage)
    {
        var (stageNumber, n) = OwnMessages.Of(item.InputId);
        var returned = Stage(stageNumber).Done.Return(n, item.Weight);
        completedStage = -1;
        if (returned == WeightReturn.Completed)
        {
            Progress++;
            completedStage = stageNumber;
        }
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

    /// <summary>
    /// The credits to send now: for each generator stage, how far its messages may go (those complete and taken by the job's
    /// reader, <paramref name="consumed"/>, plus <paramref name="window"/>: a reader that stops stops the generator), when that is
    /// at least a quarter window past what it was last allowed (or it was never told).
    /// </summary>
    public List<(int Stage, IActorRef Leader, long Allowed)>? CreditsDue(int window, Func<int, long> consumed)
    {
        List<(int, IActorRef, long)>? due = null;
        foreach (var (number, state) in _stages)
        {
            if (!state.WantsCredit || state.Leader is null || state.Flushed) continue;
            var allowed = consumed(number) + window;
            if (state.Allowed > 0 && allowed - state.Allowed < Math.Max(1, window / 4)) continue;
            state.Allowed = allowed;
            (due ??= []).Add((number, state.Leader, allowed));
        }
        return due;
    }

    /// <summary>The generator stages that have not given their final count: to stop when the job ends early.</summary>
    public IEnumerable<(int Stage, IActorRef Leader)> RunningGenerators()
    {
        foreach (var (number, state) in _stages)
            if (state.WantsCredit && !state.Flushed && state.Leader is not null) yield return (number, state.Leader);
    }

    public void FlushSent(int stage) => PendingFlush = stage;

    private OwnStageState Stage(int number)
    {
        if (!_stages.TryGetValue(number, out var state)) _stages[number] = state = new OwnStageState();
        return state;
    }

    private sealed class OwnStageState
    {
        /// <summary>The reduce's actor (from its reports), told to flush.</summary>
        public IActorRef? Leader { get; set; }

        /// <summary>How many messages the stage said it emitted so far.</summary>
        public long Announced { get; set; }

        public bool Flushed { get; set; }

        /// <summary>A generator: it makes messages only as far as the client allows.</summary>
        public bool WantsCredit { get; set; }

        /// <summary>How far the stage was last allowed to go (0: never told).</summary>
        public long Allowed { get; set; }

        /// <summary>The emitted messages (by number): their returned weight, and which are complete.</summary>
        public CompletionLedger Done { get; } = new();
    }
}
