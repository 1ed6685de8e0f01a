using Akka.Actor;
using Akka.TestKit;
using Palm.Messages;
using Palm.Servers.Butterfly;
using Palm.Servers.Butterfly.Internal;
using Xunit;

namespace Palm.Tests.Servers.Butterfly;

/// <summary>The leader's bookkeeping alone: credit, re-dispatch and first-answer-wins, with probes as workers.</summary>
public sealed class VentilatorTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly JobHeader Job = new(Guid.NewGuid(), ActorRefs.Nobody, [new Step("c", "work")], null, null);

    // The test's actor system has no remoting, so its lanes are off and work goes to the probes as plain Tells.
    private Ventilator Create(int maxWindow = 8, int batch = 500) => new(initialWindow: 2, maxWindow, batch, 1 << 20, Palm.Transport.DataLanes.Get(Sys));

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
    public void Ventilator_uses_the_first_answer_for_a_message_and_ignores_a_late_one()
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

        // The worker thought gone answers first: its answer is used, and b's is the duplicate.
        Assert.True(v.Complete(a.Ref, item.Id, out _));
        Assert.False(v.Complete(b.Ref, item.Id, out _));
        Assert.Equal(0, v.Outstanding);
        Assert.Equal(2, v.Workers.Single().Free);
    }

    [Fact]
    public void Ventilator_does_not_redispatch_a_message_answered_while_it_waited()
    {
        var (a, b) = (CreateTestProbe(), CreateTestProbe());
        var v = Create();
        v.AddWorker(a.Ref);
        Enqueue(v, 1);
        v.Dispatch(TestActor);
        var item = Assert.Single(Received(a));
        v.RemoveWorker(a.Ref);
        Assert.True(v.Complete(a.Ref, item.Id, out _));

        v.AddWorker(b.Ref);
        v.Dispatch(TestActor);

        Assert.False(b.HasMessages);
        Assert.Equal((0, 0), (v.Outstanding, v.Waiting));
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
    public void Ventilator_redispatches_what_a_worker_still_holds_once_it_says_it_answered_everything_sent_before_a_check()
    {
        var (a, b) = (CreateTestProbe(), CreateTestProbe());
        var v = Create();
        v.AddWorker(a.Ref);
        Enqueue(v, 3);
        v.Dispatch(TestActor);
        var sent = Received(a);
        var check = Assert.Single(v.ChecksDue());
        Assert.Empty(v.ChecksDue());

        // a answered the first item; the second never reached it. A batch sent after the check is not covered.
        v.Complete(a.Ref, sent[0].Id, out _);
        v.Dispatch(TestActor);
        var later = Assert.Single(Received(a));
        Assert.Equal(1, v.Checked(a.Ref, check.Batch));
        Assert.Equal(0, v.Checked(a.Ref, check.Batch));

        v.AddWorker(b.Ref);
        v.Dispatch(TestActor);
        Assert.Equal(sent[1].Id, Assert.Single(Received(b)).Id);
        Assert.Contains((a.Ref, 2L), v.ChecksDue());
        Assert.True(v.Complete(a.Ref, later.Id, out _));
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
}
