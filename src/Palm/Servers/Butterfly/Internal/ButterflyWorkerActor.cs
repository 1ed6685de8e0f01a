using System.Diagnostics;
using Akka.Actor;
using Palm.Cluster;
using Palm.Dispatch;
using Palm.Messages;

namespace Palm.Servers.Butterfly.Internal;

/// <summary>
/// A worker of a <see cref="ButterflyServer"/>: calls the functions for the items its leader sends,
/// one at a time on its own thread, through the shared <see cref="StepRunner"/>, and answers the
/// sender. Answers travel in one envelope per batch when calls are quick; once a millisecond has gone
/// by they leave at once, so that the leader refills the worker's credit while it is still busy. Each
/// envelope also says whether the worker spent more time waiting for work than working since the
/// previous one, which is how the leader learns that this worker's window is too small.
/// </summary>
internal sealed class ButterflyWorkerActor : ReceiveActor
{
    private static readonly long FlushAfter = Stopwatch.Frequency / 1000;

    private readonly ServerRuntime _runtime;
    private readonly StepRunner _runner;

    // Time spent waiting for work since the last envelope of answers, to tell the leader when the window
    // it gives this worker is too small to cover the round trip.
    private long _idleSince = Stopwatch.GetTimestamp();
    private long _idleTicks;
    private long _lastAnswers = Stopwatch.GetTimestamp();

    public ButterflyWorkerActor(ServerRuntime runtime)
    {
        _runtime = runtime;
        _runner = new StepRunner(runtime);
        Receive<WorkBatch>(Handle);
        // Handled in mailbox order, so every batch sent before the check has been answered by now; the
        // reply takes the way the answers took, so it arrives after them.
        Receive<AnswerCheck>(check => _runtime.Lanes.Tell(Sender, new AnswerCheckDone(check.Batch), Self));
        Receive<GetServerStatus>(_ => Sender.Tell(runtime.Counters.Snapshot(
            runtime.Name, runtime.Instance.TemplateName, "worker", runtime.NodeAddress, 0)));
    }

    protected override void PreStart() => _runtime.Instance.Started();

    private void Handle(WorkBatch batch)
    {
        if (_idleSince != 0) _idleTicks += Stopwatch.GetTimestamp() - _idleSince;
        _idleSince = 0;
        var answers = new Answers(_runtime, Sender, Self, Starved);
        var rest = _runner.Run(batch.Items, static item => item.Message, (item, outcome) => answers.Add(ToResult(item, outcome)));
        if (rest is null)
        {
            Done(answers);
            return;
        }
        RunTask(async () =>
        {
            await rest();
            Done(answers);
        });
    }

    private void Done(Answers answers)
    {
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
    private sealed class Answers(ServerRuntime runtime, IActorRef leader, IActorRef self, Func<bool> starved)
    {
        private List<WorkResult> _results = [];
        private long _bytes;
        private long _since = Stopwatch.GetTimestamp();

        public void Add(WorkResult result)
        {
            _results.Add(result);
            foreach (var output in result.Outputs) _bytes += output.Length;
            if (_results.Count >= runtime.Settings.BatchMaxMessages || _bytes >= runtime.Settings.BatchMaxBytes || Stopwatch.GetTimestamp() - _since >= FlushAfter)
                Flush();
        }

        public void Flush()
        {
            _since = Stopwatch.GetTimestamp();
            if (_results.Count == 0) return;
            runtime.Lanes.Tell(leader, new WorkResults(_results, starved()), self);
            _results = [];
            _bytes = 0;
        }
    }
}
