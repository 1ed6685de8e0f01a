using Palm.Dispatch;
using Palm.Messages;
using Palm.Servers;
using Akka.Event;
using Palm.Templates.Internal;
using Palm.Templates.Parallel.Internal;
using Akka.Actor;

namespace Palm.Templates.Reduce.Internal;

/// <summary>
/// The leader's part of a <see cref="ReduceServer"/>: messages go to the workers as they are (the map), answers are folded
/// here per job, stage and key, and each fold leaves as messages of the reduce's own after <see cref="StageFlush"/>; the
/// order of its reports is what makes this exact (docs/internals.md#reducestage).
/// </summary>
internal sealed class ReduceStage(LeaderOps ops, ReduceServer server) : ILeaderStage
{
    private readonly ServerRuntime _runtime = ops.Runtime;
    private readonly ReduceSettings _settings =
        ReduceSettings.Create(ops.Config, ops.Runtime.Name, server.Windows.Messages, server.Windows.Time);
    private readonly UserCall _calls = new(ops.Runtime);
    private readonly Dictionary<(Guid Job, int Stage), Fold> _folds = new();
    private readonly FlushedJobs _flushed = new(ops, "reduce");
    // Clients with a fold here: a client that goes away never flushes its jobs, so their folds are dropped then.
    private readonly HashSet<IActorRef> _clients = new();
    private bool _timerStarted;

    public void Accept(PipelineMessage message)
    {
        if (!_timerStarted && _settings.WindowTime > TimeSpan.Zero)
        {
            _timerStarted = true;
            ops.Timers().StartPeriodicTimer(nameof(WindowTick), WindowTick.Instance, _settings.WindowTime);
        }
        ops.Enqueue(message);
    }

    public void Answered(PipelineMessage work, in StepOutcome outcome)
    {
        if (outcome.Error is not null || outcome.Count == 0)
        {
            // An error, or nothing to fold: the weight returns as with any step.
            ops.Forwarder.Emit(work, outcome);
            return;
        }
        var key = (work.Job.JobId, work.Stage);
        if (_flushed.Contains(key))
        {
            _flushed.Refuse(work, "Reduce");
            return;
        }
        var count = outcome.Count;
        if (!Weights.TrySplit(work.Weight, count, out var split))
        {
            // Splitting the weight over failed outputs would be impossible; fail the message before folding any of it.
            ops.Forwarder.Emit(work, outcome);
            return;
        }
        if (!_folds.TryGetValue(key, out var fold))
        {
            _folds[key] = fold = new Fold(work.Job.Trunk, work.Stage);
            if (_clients.Add(work.Job.Client)) ops.Watch(work.Job.Client);
        }
        List<(int Output, PalmError Error)>? failures = null;
        for (var i = 0; i < count; i++)
        {
            var error = FoldOne(fold, outcome[i], work);
            if (error is not null) (failures ??= []).Add((i, error));
        }

        var absorbed = work.Weight;
        if (failures is not null)
        {
            // Each failed output is an error result with its share of the weight, as if the outputs had fanned out.
            foreach (var (output, error) in failures)
            {
                var weight = split[output];
                absorbed -= weight;
                ops.Forwarder.Fail(work with { Weight = weight }, error);
            }
        }
        if (absorbed == UInt128.Zero)
        {
            if (fold.IsEmpty && fold.Emitted == 0) _folds.Remove(key);
            return;
        }
        fold.Messages++;
        // The window's report goes before this message's Absorbed report: see the remarks.
        if (_settings.WindowMessages > 0 && fold.Messages >= _settings.WindowMessages) Emit(fold, final: false);
        ops.Forwarder.Report(work.Job, OwnMessages.AbsorbedReport(work.InputId, absorbed, work.Stage));
    }

    public bool Handle(object message, IActorRef sender)
    {
        switch (message)
        {
            case StageFlush flush:
                Flush(flush, sender);
                return true;
            case Terminated gone:
                DropFoldsOf(gone.ActorRef);
                return true;
            case WindowTick:
                foreach (var fold in _folds.Values)
                    if (!fold.IsEmpty) Emit(fold, final: false);
                return true;
            default:
                return false;
        }
    }

    private void DropFoldsOf(IActorRef client)
    {
        if (!_clients.Remove(client)) return;
        var abandoned = _folds.Where(f => f.Value.Job.Client.Equals(client)).Select(f => f.Key).ToList();
        foreach (var key in abandoned) _folds.Remove(key);
        if (abandoned.Count > 0)
            _runtime.Log.Warning("Server '{0}' dropped the unfinished folds of {1} job(s): their client {2} went away before the jobs completed.",
                _runtime.Name, abandoned.Select(k => k.Job).Distinct().Count(), client.Path);
    }

    private PalmError? FoldOne(Fold fold, ReadOnlyMemory<byte> partial, PipelineMessage work)
    {
        string? key = null;
        if (server.Keyed && !_calls.TryRun("Key", work, (server, partial), static s => s.server.KeyOf(s.partial)
                ?? throw new InvalidOperationException("The key function returned null for an output; every output needs a key."), out key, out var error))
            return error;
        var accumulator = fold.Get(key);
        if (accumulator is null && !_calls.TryRun("Initial", work, server, static s => s.NewAccumulator(), out accumulator, out error))
            return error;
        if (!_calls.TryRun("Reduce", work, (server, accumulator: accumulator!, partial), static s => s.server.Fold(s.accumulator, s.partial), out accumulator, out error))
            return error;
        fold.Set(key, accumulator!);
        return null;
    }

    private void Flush(StageFlush flush, IActorRef client)
    {
        // A repeated flush (a session delivers a client's flush once, so none is expected) gets the same answer.
        if (_flushed.TryAnswer(flush, client, _folds.ContainsKey((flush.JobId, flush.Stage)))) return;
        _folds.Remove((flush.JobId, flush.Stage), out var fold);
        Emit(fold!, final: true);
        _flushed.Add((flush.JobId, flush.Stage), fold!.Emitted);
    }

    /// <summary>Sends what <paramref name="fold"/> holds on along the route (one message per key), then the report of how many.</summary>
    private void Emit(Fold fold, bool final)
    {
        foreach (var (key, accumulator) in fold.Take())
        {
            var origin = new PipelineMessage(fold.Job, fold.Stage, OwnMessages.Id(fold.Stage, fold.Emitted++), Weights.Whole, default);
            ops.Forwarder.Emit(origin, _calls.Outputs("Result", origin, (server, key, accumulator), static s => s.server.ResultOf(s.key, s.accumulator)));
        }
        fold.Messages = 0;
        ops.Forwarder.Report(fold.Job, OwnMessages.EmittedReport(fold.Stage, fold.Emitted, final));
    }

    /// <summary>What a reduce holds for one job at one stage: the accumulator (or one per key) of the current window.</summary>
    private sealed class Fold(JobHeader job, int stage)
    {
        private byte[]? _single;
        private Dictionary<string, byte[]>? _keyed;

        /// <summary>The header of the first message folded: what the fold is emitted with.</summary>
        public JobHeader Job { get; } = job;

        public int Stage { get; } = stage;

        /// <summary>Messages folded since the window began.</summary>
        public long Messages { get; set; }

        /// <summary>Messages emitted so far for the job at this stage (numbered from 0).</summary>
        public long Emitted { get; set; }

        public bool IsEmpty => _single is null && (_keyed is null || _keyed.Count == 0);

        public byte[]? Get(string? key) => key is null ? _single : _keyed?.GetValueOrDefault(key);

        public void Set(string? key, byte[] accumulator)
        {
            if (key is null) _single = accumulator;
            else (_keyed ??= new Dictionary<string, byte[]>(StringComparer.Ordinal))[key] = accumulator;
        }

        /// <summary>The accumulators (keys in ordinal order), leaving the fold empty.</summary>
        public List<(string? Key, byte[] Accumulator)> Take()
        {
            var taken = new List<(string?, byte[])>();
            if (_single is not null) taken.Add((null, _single));
            if (_keyed is not null) taken.AddRange(_keyed.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => ((string?)p.Key, p.Value)));
            _single = null;
            _keyed = null;
            return taken;
        }
    }

    private sealed class WindowTick
    {
        public static readonly WindowTick Instance = new();
    }
}
