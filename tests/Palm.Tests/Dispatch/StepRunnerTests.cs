using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Event;
using Palm.Configuration;
using Palm.Dispatch;
using Palm.Messages;
using Palm.Servers;
using Xunit;

namespace Palm.Tests.Dispatch;

/// <summary>The runner alone, in an actor of the test's system, with calls whose completion each test controls.</summary>
public sealed class StepRunnerTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    /// <summary>Calls of one test: each waits for its own gate, opened by the test.</summary>
    private sealed class Gates
    {
        private static readonly ConcurrentDictionary<string, Gates> All = new();
        private readonly ConcurrentDictionary<long, TaskCompletionSource> _gates = new();
        public int Started;
        public int SyncCallsOffActorThread;

        public static Gates For(string key) => All.GetOrAdd(key, _ => new Gates());

        public TaskCompletionSource Of(long input) => _gates.GetOrAdd(input, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
    }

    private sealed class GatedServer : RegisteredServer
    {
        public const int Limit = 3;

        /// <summary>Waits for the gate of its input; payload "key:input[:bad]".</summary>
        [PalmFunction("gated", MaxConcurrency = Limit)]
        public async Task<byte[]> Gated(byte[] payload, MessageContext context)
        {
            var parts = System.Text.Encoding.UTF8.GetString(payload).Split(':');
            var gates = Gates.For(parts[0]);
            Interlocked.Increment(ref gates.Started);
            await gates.Of(context.InputIndex).Task;
            if (parts.Length > 2) throw new InvalidOperationException($"input {context.InputIndex} is bad");
            return payload;
        }

        /// <summary>Synchronous: notes whether it ran outside the actor's handling of a message (it must not).</summary>
        [PalmFunction("sync")]
        public byte[] Sync(byte[] payload)
        {
            if (!Host.InReceive)
                Interlocked.Increment(ref Gates.For(System.Text.Encoding.UTF8.GetString(payload).Split(':')[0]).SyncCallsOffActorThread);
            return payload;
        }
    }

    private sealed record Outcome(long Input, PalmError? Error);

    private sealed record State(long Oldest, long Accepted, bool WantsMore);

    private sealed class GetState
    {
        public static readonly GetState Instance = new();
    }

    private sealed class Host : ReceiveActor
    {
        /// <summary>Set while this thread runs a handler of a host.</summary>
        [ThreadStatic] public static bool InReceive;

        public Host(ServerRuntime runtime, IActorRef probe)
        {
            var runner = new StepRunner<PipelineMessage>(runtime, Self, static m => m, (m, o) => probe.Tell(new Outcome(m.InputId, o.Error)));
            void Run(Func<Func<Task>?> step)
            {
                InReceive = true;
                Func<Task>? rest;
                try
                {
                    rest = step();
                }
                finally
                {
                    InReceive = false;
                }
                if (rest is not null) RunTask(async () => await rest());
            }
            Receive<Deliver>(d => Run(() => runner.Accept(d.Messages)));
            Receive<ResumeSteps>(_ => Run(runner.Resume));
            Receive<GetState>(_ => Sender.Tell(new State(runner.Oldest, runner.Accepted, runner.WantsMore)));
        }
    }

    private IActorRef Start()
    {
        var server = new GatedServer();
        var runtime = new ServerRuntime("s", server, FunctionTable.For(typeof(GatedServer)), new ServerCounters(), Logging.GetLogger(Sys, "s"),
            null!, PalmSettings.Default, ServerSettings.Default, null!, ActorRefs.Nobody, "test", null!);
        return Sys.ActorOf(Props.Create(() => new Host(runtime, TestActor)));
    }

    private Deliver Batch(string function, string key, params int[] inputs)
    {
        var job = new JobHeader(Guid.NewGuid(), TestActor, [new Step("s", function)], null, null);
        return new Deliver(inputs.Select(i => new PipelineMessage(job, 0, i, Weights.Whole,
            System.Text.Encoding.UTF8.GetBytes(i % 10 == 4 ? $"{key}:{i}:bad" : $"{key}:{i}"))).ToList());
    }

    private State StateOf(IActorRef host)
    {
        host.Tell(GetState.Instance, TestActor);
        return ExpectMsg<State>(Wait);
    }

    [Fact]
    public void Concurrent_calls_overlap_up_to_the_limit_and_each_outcome_comes_once_as_calls_finish()
    {
        var gates = Gates.For(nameof(Concurrent_calls_overlap_up_to_the_limit_and_each_outcome_comes_once_as_calls_finish));
        var host = Start();
        host.Tell(Batch("gated", nameof(Concurrent_calls_overlap_up_to_the_limit_and_each_outcome_comes_once_as_calls_finish), 0, 1, 2, 3, 4, 5));

        AwaitCondition(() => Volatile.Read(ref gates.Started) == GatedServer.Limit, Wait);
        // Three run, three wait in the runner: the oldest unanswered is input 0, six were accepted, no room for more.
        Assert.Equal(new State(0, 6, false), StateOf(host));
        Assert.Equal(GatedServer.Limit, Volatile.Read(ref gates.Started));

        gates.Of(1).SetResult();
        Assert.Equal(1, ExpectMsg<Outcome>(Wait).Input);
        AwaitCondition(() => Volatile.Read(ref gates.Started) == 4, Wait);
        Assert.Equal(0, StateOf(host).Oldest);

        gates.Of(0).SetResult();
        Assert.Equal(0, ExpectMsg<Outcome>(Wait).Input);
        AwaitCondition(() => Volatile.Read(ref gates.Started) == 5, Wait);
        Assert.Equal(2, StateOf(host).Oldest);

        // Input 4 throws: its error names server, function and cause, and the others are unaffected.
        foreach (var i in new[] { 2, 3, 4, 5 }) gates.Of(i).SetResult();
        var rest = Enumerable.Range(0, 4).Select(_ => ExpectMsg<Outcome>(Wait)).ToList();
        Assert.Equal([2L, 3L, 4L, 5L], rest.Select(o => o.Input).Order());
        var failed = Assert.Single(rest, o => o.Error is not null);
        Assert.Equal((4L, PalmErrorKind.FunctionFailed, "s", "gated", typeof(InvalidOperationException).FullName),
            (failed.Input, failed.Error!.Kind, failed.Error.Server, failed.Error.Function, failed.Error.ExceptionType));
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        Assert.Equal(new State(6, 6, false), StateOf(host));
        Assert.Equal(6, Volatile.Read(ref gates.Started));
    }

    [Fact]
    public void A_runner_with_free_slots_and_nothing_waiting_wants_more()
    {
        var key = nameof(A_runner_with_free_slots_and_nothing_waiting_wants_more);
        var gates = Gates.For(key);
        var host = Start();
        host.Tell(Batch("gated", key, 0));

        AwaitCondition(() => Volatile.Read(ref gates.Started) == 1, Wait);
        Assert.Equal(new State(0, 1, true), StateOf(host));
        gates.Of(0).SetResult();
        Assert.Equal(0, ExpectMsg<Outcome>(Wait).Input);
        Assert.Equal(new State(1, 1, false), StateOf(host));
    }

    [Fact]
    public void Synchronous_calls_after_concurrent_ones_run_at_once_in_the_actor_and_in_order()
    {
        var key = nameof(Synchronous_calls_after_concurrent_ones_run_at_once_in_the_actor_and_in_order);
        var gates = Gates.For(key);
        var host = Start();
        host.Tell(Batch("gated", key, 0));
        host.Tell(Batch("sync", key, 1, 2, 3));

        // The synchronous calls do not wait for the concurrent one: they are another function, with slots of its own.
        Assert.Equal([1L, 2L, 3L], Enumerable.Range(0, 3).Select(_ => ExpectMsg<Outcome>(Wait).Input));
        gates.Of(0).SetResult();
        Assert.Equal(0, ExpectMsg<Outcome>(Wait).Input);
        Assert.Equal(0, Volatile.Read(ref gates.SyncCallsOffActorThread));
    }
}
