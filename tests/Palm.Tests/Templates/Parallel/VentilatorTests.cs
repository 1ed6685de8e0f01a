using Akka.Actor;
using Akka.TestKit;
using Palm.Messages;
using Palm.Templates.Parallel;
using Palm.Templates.Parallel.Internal;
using Palm.Transport;
using Xunit;

namespace Palm.Tests.Templates.Parallel;

/// <summary>The leader's bookkeeping alone: credit, re-dispatch and first-answer-wins, with probes as workers.</summary>
public sealed class VentilatorTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly JobHeader Job = new(Guid.NewGuid(), ActorRefs.Nobody, [new Step("c", "work")], null, null);

    private readonly ManualClock _clock = new();

    // The test's actor system has no remoting, so its lanes are off and work goes to the probes as plain Tells. The
    // window time is an hour unless a test says otherwise, so that it caps nothing, and the clock moves only when told.
    private Ventilator Create(int maxWindow = 8, int batch = 500, TimeSpan? windowTime = null) =>
        new(initialWindow: 2, maxWindow, windowTime ?? TimeSpan.FromHours(1), batch, 1 << 20, Palm.Transport.DataLanes.Get(Sys), _clock);

    private static void Enqueue(Ventilator v, int count)
    {
        for (var i = 0; i < count; i++) v.Enqueue(new PipelineMessage(Job, 0, i, Weights.Whole, new byte[] { 1 }));
    }

    private List<WorkItem> Received(TestProbe worker) => worker.ExpectMsg<WorkBatch>().Items.ToList();

    [Fact]
    public void Ventilator_never_gives_a_worker_more_messages_than_its_window()
    {
        var (a, b) = (CreateTestProbe(), CreateTestProbe());
        var v = Create();
        v.AddWorker(a.Ref);
        v.AddWorker(b.Ref);
        Enqueue(v, 100);

        v.Dispatch(TestActor);

        Assert.Equal(2, Received(a).Count);
        Assert.Equal(2, Received(b).Count);
        Assert.Equal((4, 96), (v.Outstanding, v.Waiting));
        v.Dispatch(TestActor);
        Assert.False(a.HasMessages);
    }

    [Fact]
    public void Ventilator_gives_new_work_to_a_worker_only_as_it_answers()
    {
        var a = CreateTestProbe();
        var v = Create();
        v.AddWorker(a.Ref);
        Enqueue(v, 10);
        v.Dispatch(TestActor);
        var first = Received(a);

        Assert.True(v.Complete(a.Ref, first[0].Id, out var message));
        Assert.Equal(first[0].Message, message);
        v.Dispatch(TestActor);

        var next = Assert.Single(Received(a));
        Assert.Equal(2, next.Message.InputId);
    }

    [Fact]
    public void Ventilator_gives_a_departed_workers_messages_to_the_others_before_new_ones()
    {
        var (a, b) = (CreateTestProbe(), CreateTestProbe());
        var v = Create();
        v.AddWorker(a.Ref);
        Enqueue(v, 10);
        v.Dispatch(TestActor);
        var lost = Received(a);

        Assert.Equal(2, v.RemoveWorker(a.Ref));
        v.AddWorker(b.Ref);
        v.Dispatch(TestActor);

        Assert.Equal(lost.Select(i => i.Id), Received(b).Select(i => i.Id));
        Assert.Equal(-1, v.RemoveWorker(a.Ref));
    }

    [Fact]
    public void Ventilator_takes_the_answer_of_the_worker_that_holds_a_message_and_ignores_the_late_one_of_its_former_holder()
    {
        var (a, b) = (CreateTestProbe(), CreateTestProbe());
        var v = Create();
        v.AddWorker(a.Ref);
        Enqueue(v, 1);
        v.Dispatch(TestActor);
        var item = Assert.Single(Received(a));
        v.RemoveWorker(a.Ref);
        v.AddWorker(b.Ref);
        v.Dispatch(TestActor);
        Assert.Equal(item.Id, Assert.Single(Received(b)).Id);

        // The worker thought gone answers after all: b holds the message now, so only b's answer counts.
        Assert.False(v.Complete(a.Ref, item.Id, out _));
        Assert.Equal(1, v.Outstanding);
        Assert.True(v.Complete(b.Ref, item.Id, out _));
        Assert.False(v.Complete(b.Ref, item.Id, out _));
        Assert.Equal((0, 2L), (v.Outstanding, v.Ignored));
        Assert.Equal(2, v.Workers.Single().Free);
    }

    [Fact]
    public void Ventilator_ignores_an_answer_for_a_message_that_waits_for_redispatch_and_dispatches_it_again()
    {
        var (a, b) = (CreateTestProbe(), CreateTestProbe());
        var v = Create();
        v.AddWorker(a.Ref);
        Enqueue(v, 1);
        v.Dispatch(TestActor);
        var item = Assert.Single(Received(a));
        v.RemoveWorker(a.Ref);
        Assert.False(v.Complete(a.Ref, item.Id, out _));

        v.AddWorker(b.Ref);
        v.Dispatch(TestActor);

        Assert.Equal(item.Id, Assert.Single(Received(b)).Id);
        Assert.True(v.Complete(b.Ref, item.Id, out _));
        Assert.Equal((0, 0), (v.Outstanding, v.Waiting));
    }

    [Fact]
    public void Ventilator_does_not_complete_a_message_with_a_forged_answer_from_another_worker_or_a_stranger()
    {
        var (a, b, stranger) = (CreateTestProbe(), CreateTestProbe(), CreateTestProbe());
        var v = Create();
        v.AddWorker(a.Ref);
        v.AddWorker(b.Ref);
        Enqueue(v, 4);
        v.Dispatch(TestActor);
        var heldByA = Received(a);
        Received(b);

        // b is a worker, but not the one that holds these; the stranger is no worker at all.
        Assert.False(v.Complete(b.Ref, heldByA[0].Id, out _));
        Assert.False(v.Complete(stranger.Ref, heldByA[1].Id, out _));
        Assert.False(v.IsWorker(stranger.Ref));
        Assert.Equal((4, 2L), (v.Outstanding, v.Ignored));
        Assert.Equal(0, v.Workers.Single(w => w.Worker.Equals(b.Ref)).Free);

        Assert.True(v.Complete(a.Ref, heldByA[0].Id, out var first));
        Assert.True(v.Complete(a.Ref, heldByA[1].Id, out var second));
        Assert.Equal(heldByA.Select(i => i.Message), [first, second]);
    }

    [Fact]
    public void Ventilator_widens_the_window_of_a_starved_worker_up_to_the_maximum_and_narrows_it_when_idle()
    {
        var a = CreateTestProbe();
        var v = Create(maxWindow: 8);
        v.AddWorker(a.Ref);
        Enqueue(v, 100);
        var sizes = new List<int>();
        for (var round = 0; round < 5; round++)
        {
            v.Dispatch(TestActor);
            var items = Received(a);
            sizes.Add(items.Count);
            foreach (var item in items) v.Complete(a.Ref, item.Id, out _);
            v.Answered(a.Ref, starved: false);
        }
        Assert.Equal([2, 4, 8, 8, 8], sizes);

        while (v.Waiting > 0)
        {
            v.Dispatch(TestActor);
            foreach (var item in Received(a)) v.Complete(a.Ref, item.Id, out _);
            v.Answered(a.Ref, starved: false);
        }
        Assert.Equal(2, v.Workers.Single().Window);
    }

    [Fact]
    public void Ventilator_splits_a_workers_messages_into_batches_of_the_configured_size()
    {
        var a = CreateTestProbe();
        var v = Create(maxWindow: 8, batch: 3);
        v.AddWorker(a.Ref);
        Enqueue(v, 100);
        var batches = new List<int[]>();
        for (var round = 0; round < 3; round++)
        {
            v.Dispatch(TestActor);
            var sizes = new List<int>();
            while (a.HasMessages)
            {
                var items = a.ExpectMsg<WorkBatch>().Items;
                sizes.Add(items.Count);
                foreach (var item in items) v.Complete(a.Ref, item.Id, out _);
            }
            batches.Add([.. sizes]);
            v.Answered(a.Ref, starved: false);
        }
        Assert.Equal([[2], [3, 1], [3, 3, 2]], batches);
    }

    [Fact]
    public void Ventilator_widens_the_window_of_a_worker_that_waited_for_work_while_work_waited_here()
    {
        var a = CreateTestProbe();
        var v = Create(maxWindow: 8);
        v.AddWorker(a.Ref);
        Enqueue(v, 100);
        v.Dispatch(TestActor);
        var first = Received(a);

        // One answer at a time: the worker never holds nothing, but says it mostly waited.
        v.Complete(a.Ref, first[0].Id, out _);
        v.Answered(a.Ref, starved: false);
        Assert.Equal(2, v.Workers.Single().Window);
        v.Complete(a.Ref, first[1].Id, out _);
        v.Dispatch(TestActor);
        v.Answered(a.Ref, starved: true);
        Assert.Equal(4, v.Workers.Single().Window);

        // A starved worker with no work waiting here is starved upstream: its window stays.
        var idle = Create(maxWindow: 8);
        idle.AddWorker(a.Ref);
        Enqueue(idle, 1);
        idle.Dispatch(TestActor);
        idle.Answered(a.Ref, starved: true);
        Assert.Equal(2, idle.Workers.Single().Window);
    }

    /// <summary>
    /// Rounds in which the worker answers everything it got, each message taking <paramref name="perMessage"/> of the
    /// test's clock, while work keeps waiting: returns the size of each round's work.
    /// </summary>
    private List<int> Rounds(Ventilator v, TestProbe worker, int rounds, TimeSpan perMessage)
    {
        var sizes = new List<int>();
        for (var round = 0; round < rounds; round++)
        {
            v.Dispatch(TestActor);
            var items = Received(worker);
            sizes.Add(items.Count);
            foreach (var item in items)
            {
                _clock.Advance(perMessage);
                Assert.True(v.Complete(worker.Ref, item.Id, out _));
            }
            v.Answered(worker.Ref, starved: false);
        }
        return sizes;
    }

    [Fact]
    public void Ventilator_caps_a_workers_window_at_what_it_answers_in_the_window_time()
    {
        var a = CreateTestProbe();
        var v = Create(maxWindow: 256, windowTime: TimeSpan.FromMilliseconds(100));
        v.AddWorker(a.Ref);
        Enqueue(v, 10_000);

        // 1 ms a message: 1,000 a second, so 100 in 100 ms. The first rate sample needs 10 ms of work (rounds 1-3).
        var sizes = Rounds(v, a, 9, TimeSpan.FromMilliseconds(1));

        Assert.Equal([2, 4, 8, 16, 32, 64, 100, 100, 100], sizes);
        Assert.InRange(v.Workers.Single().Rate, 999, 1001);
    }

    [Fact]
    public void Ventilator_lets_a_quick_workers_window_grow_to_the_maximum_and_narrows_it_once_the_worker_turns_slow()
    {
        var a = CreateTestProbe();
        var v = Create(maxWindow: 256, windowTime: TimeSpan.FromMilliseconds(100));
        v.AddWorker(a.Ref);
        Enqueue(v, 10_000);

        var quick = Rounds(v, a, 9, TimeSpan.FromMicroseconds(10));
        Assert.Equal([2, 4, 8, 16, 32, 64, 128, 256, 256], quick);

        // 5 ms a message: 200 a second, 20 in 100 ms. A round of 256 such messages is 1.28 s of work, far more than
        // the window time, so its sample weighs almost fully (it still counts the last quick answers, not yet sampled).
        var slow = Rounds(v, a, 4, TimeSpan.FromMilliseconds(5));
        Assert.Equal(256, slow[0]);
        Assert.InRange(slow[1], 21, 100);
        Assert.All(slow.Skip(2), size => Assert.InRange(size, 20, 21));

        // Never below the initial window, however slow.
        Rounds(v, a, 2, TimeSpan.FromSeconds(1));
        Assert.Equal(2, v.Workers.Single().Window);
    }

    [Fact]
    public void Ventilator_gives_a_draining_worker_no_new_work_and_reports_it_drained_once_it_holds_nothing()
    {
        var (a, b) = (CreateTestProbe(), CreateTestProbe());
        var v = Create();
        v.AddWorker(a.Ref);
        v.AddWorker(b.Ref);
        Enqueue(v, 20);
        v.Dispatch(TestActor);
        var heldByA = Received(a);
        Received(b);

        Assert.True(v.Drain(a.Ref));
        Assert.Empty(v.TakeDrained());
        Assert.True(v.Complete(a.Ref, heldByA[0].Id, out _));
        v.Answered(a.Ref, starved: false);
        v.Dispatch(TestActor);
        Assert.False(a.HasMessages);
        Assert.Empty(v.TakeDrained());

        Assert.True(v.Complete(a.Ref, heldByA[1].Id, out _));
        v.Answered(a.Ref, starved: false);
        v.Dispatch(TestActor);
        var drained = Assert.Single(v.TakeDrained());
        Assert.Equal((a.Ref, 2), (drained.Worker, drained.HeldAtDrain));
        Assert.Empty(v.TakeDrained());
        Assert.False(a.HasMessages);
        Assert.Equal(0, v.RemoveWorker(a.Ref));

        // A worker the leader does not know holds nothing here.
        Assert.False(v.Drain(CreateTestProbe().Ref));
    }

    [Fact]
    public void Ventilator_redispatches_what_a_draining_worker_still_holds_when_it_leaves_before_it_drained()
    {
        var (a, b) = (CreateTestProbe(), CreateTestProbe());
        var v = Create();
        v.AddWorker(a.Ref);
        Enqueue(v, 2);
        v.Dispatch(TestActor);
        var heldByA = Received(a);
        v.Drain(a.Ref);

        Assert.Equal(2, v.RemoveWorker(a.Ref));
        Assert.Empty(v.TakeDrained());
        v.AddWorker(b.Ref);
        v.Dispatch(TestActor);
        Assert.Equal(heldByA.Select(i => i.Id), Received(b).Select(i => i.Id));
    }

    /// <summary>A clock that moves only when the test moves it, a million ticks a second.</summary>
    private sealed class ManualClock : TimeProvider
    {
        private long _now;

        public override long TimestampFrequency => 1_000_000;

        public override long GetTimestamp() => _now;

        public void Advance(TimeSpan by) => _now += (long)(by.TotalSeconds * TimestampFrequency);
    }
}
