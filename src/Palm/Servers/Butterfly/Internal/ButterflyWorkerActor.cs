using System.Diagnostics;
using Akka.Actor;
using Palm.Cluster;
using Palm.Dispatch;
using Palm.Messages;

namespace Palm.Servers.Butterfly.Internal;

/// <summary>
/// A worker of a <see cref="ButterflyServer"/>: calls the functions for the items its leader sends,
/// one at a time on its own thread, through the shared <see cref="StepInvoker"/>, and answers the
/// sender. Answers travel in one envelope per batch when calls are quick; once a millisecond has gone
/// by they leave at once, so that the leader refills the worker's credit while it is still busy. Each
/// envelope also says whether the worker spent more time waiting for work than working since the
/// previous one, which is how the leader learns that this worker's window is too small.
/// </summary>
internal sealed class ButterflyWorkerActor : ReceiveActor
{
    private static readonly long FlushAfter = Stopwatch.Frequency / 1000;

    private readonly ServerRuntime _runtime;
    private readonly StepInvoker _invoker;

    // Time spent waiting for work since the last envelope of answers, to tell the leader when the window
    // it gives this worker is too small to cover the round trip.
    private long _idleSince = Stopwatch.GetTimestamp();
    private long _idleTicks;
    private long _lastAnswers = Stopwatch.GetTimestamp();

    public ButterflyWorkerActor(ServerRuntime runtime)
    {
        _runtime = runtime;
        _invoker = new StepInvoker(runtime);
        Receive<WorkBatch>(Handle);
        // Handled in mailbox order, so every batch sent before the check has been answered by now.
        Receive<AnswerCheck>(check => Sender.Tell(new AnswerCheckDone(check.Batch)));
        Receive<GetServerStatus>(_ => Sender.Tell(runtime.Counters.Snapshot(
            runtime.Name, runtime.Instance.TemplateName, "worker", runtime.NodeAddress, 0)));
    }

    protected override void PreStart() => _runtime.Instance.Started();

    private void Handle(WorkBatch batch)
    {
        if (_idleSince != 0) _idleTicks += Stopwatch.GetTimestamp() - _idleSince;
        _idleSince = 0;
        var answers = new Answers(Sender, Self, _runtime.Settings, Starved);
        var items = batch.Items;
        for (var i = 0; i < items.Count; i++)
        {
            var pending = Process(items[i], answers);
            if (!pending.IsCompletedSuccessfully)
            {
                var rest = i + 1;
                // A truly asynchronous function: the rest of the batch runs in a continuation, during
                // which the mailbox waits, so the worker still calls one function at a time.
                RunTask(async () =>
                {
                    await pending;
                    for (var j = rest; j < items.Count; j++) await Process(items[j], answers);
                    answers.Flush();
                    _idleSince = Stopwatch.GetTimestamp();
                });
                return;
            }
        }
        answers.Flush();
        _idleSince = Stopwatch.GetTimestamp();
    }

    /// <summary>Whether the worker waited for work longer than it worked since its previous answers; starts a new period.</summary>
    private bool Starved()
    {
        var now = Stopwatch.GetTimestamp();
        var starved = 2 * _idleTicks > now - _lastAnswers;
        _idleTicks = 0;
        _lastAnswers = now;
        return starved;
    }

    private ValueTask Process(WorkItem item, Answers answers)
    {
        var error = _invoker.Resolve(item.Message, out var function);
        if (error is not null)
        {
            _runtime.Counters.AddError();
            answers.Add(new WorkResult(item.Id, [], error));
            return ValueTask.CompletedTask;
        }
        var outcome = _invoker.Invoke(function, item.Message);
        if (outcome.IsCompletedSuccessfully)
        {
            answers.Add(ToResult(item, outcome.Result));
            return ValueTask.CompletedTask;
        }
        return AddLater(item, outcome, answers);
    }

    private async ValueTask AddLater(WorkItem item, ValueTask<StepOutcome> outcome, Answers answers) =>
        answers.Add(ToResult(item, await outcome));

    private WorkResult ToResult(WorkItem item, in StepOutcome outcome)
    {
        if (outcome.Error is not null) return new WorkResult(item.Id, [], outcome.Error);
        var outputs = outcome.ToList();
        long bytes = 0;
        foreach (var output in outputs) bytes += output.Length;
        if (bytes <= _runtime.Settings.MaxPayloadBytes) return new WorkResult(item.Id, outputs, null);
        // The outputs of one call go back to the leader in one message; past this size the transport would drop it.
        _runtime.Counters.AddError();
        return new WorkResult(item.Id, [], new PalmError(PalmErrorKind.PayloadTooLarge, _runtime.Name, item.Message.Step.Function,
            item.Message.Stage, null,
            $"The outputs of one call total {bytes} bytes; on a butterfly worker they travel to the leader together, and palm.max-payload-bytes allows {_runtime.Settings.MaxPayloadBytes}."));
    }

    /// <summary>Answers gathered for the leader: sent when full, when a millisecond has passed since the last send, and at the end of a batch.</summary>
    private sealed class Answers(IActorRef leader, IActorRef self, PalmSettings settings, Func<bool> starved)
    {
        private List<WorkResult> _results = [];
        private long _bytes;
        private long _since = Stopwatch.GetTimestamp();

        public void Add(WorkResult result)
        {
            _results.Add(result);
            foreach (var output in result.Outputs) _bytes += output.Length;
            if (_results.Count >= settings.BatchMaxMessages || _bytes >= settings.BatchMaxBytes || Stopwatch.GetTimestamp() - _since >= FlushAfter)
                Flush();
        }

        public void Flush()
        {
            _since = Stopwatch.GetTimestamp();
            if (_results.Count == 0) return;
            leader.Tell(new WorkResults(_results, starved()), self);
            _results = [];
            _bytes = 0;
        }
    }
}
