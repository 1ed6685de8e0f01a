using System.Collections.Concurrent;
using System.Diagnostics;
using Akka.Actor;
using Palm.Messages;
using Palm.Servers;

namespace Palm.Dispatch;

/// <summary>
/// The loop every actor that runs user code makes over its messages: resolve each message's step, invoke the function, and
/// hand the outcome to a sink, in the order the messages came, each exactly once (docs/internals.md#steprunner).
/// </summary>
/// <param name="runtime">The server.</param>
/// <param name="self">The actor that runs this loop: it gets <see cref="ResumeSteps"/> and calls <see cref="Resume"/>.</param>
/// <param name="messageOf">The message of an item.</param>
/// <param name="sink">Takes each item's outcome, on the actor's thread.</param>
internal sealed class StepRunner<T>(ServerRuntime runtime, IActorRef self, Func<T, PipelineMessage> messageOf, Action<T, StepOutcome> sink)
{
    private readonly UserCall _calls = new(runtime);
    private readonly ServerCounters _counters = runtime.Counters;
    private readonly int _defaultLimit = runtime.Server.MaxConcurrency;
    // The most calls at once the server's functions allow.
    private readonly int _capacity = runtime.Functions.Names.Max(name =>
        runtime.Functions.TryGet(name, out var function) ? LimitOf(function, runtime.Server.MaxConcurrency) : 1);

    private readonly Queue<(T Item, long Seq)> _waiting = new();
    private readonly Dictionary<ServerFunction, int> _running = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<long> _inFlight = [];
    private readonly ConcurrentQueue<Finished> _finished = new();
    private int _signalled;
    private bool _awaiting;

    // Time with free call slots and nothing waiting, weighted by the share of slots free (see TakeIdleTicks).
    private long _idleTicks;
    private long _accountedAt = Stopwatch.GetTimestamp();
    private double _free = 1;

    /// <summary>Items accepted so far; each gets the next number, starting at 0.</summary>
    public long Accepted { get; private set; }

    /// <summary>The number of the oldest item not handed to the sink yet; <see cref="Accepted"/> when there is none.</summary>
    public long Oldest
    {
        get
        {
            var oldest = _waiting.TryPeek(out var head) ? head.Seq : Accepted;
            foreach (var seq in _inFlight) oldest = Math.Min(oldest, seq);
            return oldest;
        }
    }

    /// <summary>Items accepted and not handed to the sink yet: waiting, and calls running (status shows them as in flight).</summary>
    public int Pending => _waiting.Count + _inFlight.Count + (_awaiting ? 1 : 0);

    /// <summary>
    /// Concurrent calls are running, fewer than the server's functions allow, and no message waits: the actor could
    /// run more calls than it was given.
    /// </summary>
    public bool WantsMore => _waiting.Count == 0 && !_awaiting && _inFlight.Count > 0 && _inFlight.Count < _capacity;

    /// <summary>How many calls the function may run at once on this server instance: 1 for synchronous ones.</summary>
    public int LimitOf(ServerFunction function) => LimitOf(function, _defaultLimit);

    private static int LimitOf(ServerFunction function, int defaultLimit) =>
        !function.IsAsync ? 1 : function.MaxConcurrency > 0 ? function.MaxConcurrency : defaultLimit;

    /// <summary>
    /// Runs what it can of <paramref name="items"/> (after those still waiting); returns null when nothing is left to
    /// await with the mailbox waiting, otherwise that continuation, for <c>RunTask</c>.
    /// </summary>
    public Func<Task>? Accept(IReadOnlyList<T> items)
    {
        Enter();
        for (var i = 0; i < items.Count; i++) _waiting.Enqueue((items[i], Accepted++));
        // Once per batch, so that a server stuck in a long call shows what it holds.
        PublishInFlight();
        return Continue();
    }

    /// <summary>On <see cref="ResumeSteps"/>: hands over the outcomes of finished calls and runs what waited for a slot; returns like <see cref="Accept"/>.</summary>
    public Func<Task>? Resume()
    {
        Enter();
        // Reset before draining: a call that finishes from here on signals again.
        Volatile.Write(ref _signalled, 0);
        while (_finished.TryDequeue(out var done))
        {
            _running[done.Function]--;
            _inFlight.Remove(done.Seq);
            sink(done.Item, done.Outcome);
        }
        return Continue();
    }

    /// <summary>
    /// What the actor does with what <see cref="Accept"/> or <see cref="Resume"/> returned: when nothing was left waiting, its
    /// end-of-batch step (<paramref name="done"/>: flush what the batch produced) at once; otherwise the rest (an awaited
    /// asynchronous call) as the actor's task (<paramref name="runTask"/>: its <c>RunTask</c>), so that its mailbox waits,
    /// and then <paramref name="done"/>.
    /// </summary>
    public void Then(Func<Task>? rest, Action<Func<Task>> runTask, Action done)
    {
        if (rest is null)
        {
            done();
            return;
        }
        runTask(async () =>
        {
            await rest();
            done();
        });
    }

    /// <summary>
    /// Time since the previous call during which call slots were free and no message waited, weighted by the share of
    /// slots free (a server whose functions allow 64 calls and that runs 16 was a quarter busy), in
    /// <see cref="Stopwatch"/> ticks; starts a new period. Time on the actor's thread counts as busy.
    /// </summary>
    public long TakeIdleTicks()
    {
        Account();
        var idle = _idleTicks;
        _idleTicks = 0;
        return idle;
    }

    private Func<Task>? Continue()
    {
        if (!RunSome(false, out var item, out var pending))
        {
            Leave();
            return null;
        }
        _awaiting = true;
        return async () =>
        {
            while (true)
            {
                sink(item, await pending);
                if (!RunSome(true, out item, out pending)) break;
            }
            _awaiting = false;
            Leave();
        };
    }

    /// <summary>
    /// Runs waiting items until none is left, the head must wait for a free slot, or a one-at-a-time call must be
    /// awaited: then true, with that call.
    /// </summary>
    private bool RunSome(bool inTask, out T awaited, out ValueTask<StepOutcome> pending)
    {
        while (_waiting.TryPeek(out var head))
        {
            var message = messageOf(head.Item);
            if (!_calls.TryResolve(message, out var function, out var error))
            {
                _waiting.Dequeue();
                sink(head.Item, StepOutcome.Failed(error));
                continue;
            }
            var limit = LimitOf(function);
            var running = 0;
            if (limit > 1)
            {
                if (inTask)
                {
                    Signal();
                    break;
                }
                running = _running.GetValueOrDefault(function);
                if (running >= limit) break;
            }
            _waiting.Dequeue();
            var call = _calls.Function(function, message);
            if (call.IsCompletedSuccessfully)
            {
                sink(head.Item, call.Result);
                continue;
            }
            if (limit > 1)
            {
                _running[function] = running + 1;
                _inFlight.Add(head.Seq);
                _ = Finish(call, head.Item, head.Seq, function);
                continue;
            }
            awaited = head.Item;
            pending = call;
            return true;
        }
        awaited = default!;
        pending = default;
        return false;
    }

    private async Task Finish(ValueTask<StepOutcome> call, T item, long seq, ServerFunction function)
    {
        // UserCall turns every exception of the function into an error outcome: this await does not throw.
        var outcome = await call.ConfigureAwait(false);
        _finished.Enqueue(new Finished(item, seq, function, outcome));
        Signal();
    }

    private void Signal()
    {
        if (Interlocked.Exchange(ref _signalled, 1) == 0) self.Tell(ResumeSteps.Instance, ActorRefs.NoSender);
    }

    private void Enter()
    {
        Account();
        _free = 0;
    }

    private void Leave()
    {
        Account();
        _free = _waiting.Count > 0 || _awaiting ? 0 : (_capacity - _inFlight.Count) / (double)_capacity;
        PublishInFlight();
    }

    /// <summary>The <see cref="ServerCounters.InFlight"/> gauge: messages waiting here, in concurrent calls, or awaited.</summary>
    private void PublishInFlight() => _counters.SetInFlight(Pending);

    private void Account()
    {
        var now = Stopwatch.GetTimestamp();
        if (_free > 0) _idleTicks += (long)((now - _accountedAt) * _free);
        _accountedAt = now;
    }

    private sealed record Finished(T Item, long Seq, ServerFunction Function, StepOutcome Outcome);
}
