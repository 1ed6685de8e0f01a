using Akka.Actor;
using Akka.Event;
using Palm.Messages;
using Palm.Messages.Internal;
using Palm.Transport.Internal;
using Xunit;

namespace Palm.Tests.Transport;

/// <summary>The receiving side of the lanes: every frame delivered once, whichever way it came.</summary>
public sealed class LaneInboxTests : Akka.TestKit.Xunit2.TestKit
{
    private readonly PalmSerializer _serializer;
    private readonly LaneInbox _inbox;
    private readonly string _target;

    public LaneInboxTests()
    {
        _serializer = new PalmSerializer((ExtendedActorSystem)Sys);
        _inbox = new LaneInbox((ExtendedActorSystem)Sys, _serializer, Logging.GetLogger(Sys, "test"));
        _target = LaneFrame.PathOf(TestActor)!;
    }

    private byte[] Batch(long input) =>
        _serializer.ToBinary(new ResultBatch(Guid.Empty, [new ResultItem(input, Weights.Whole, ResultKind.Payload, new byte[] { (byte)input }, null)]));

    private void Accept(Guid lane, long seq) => _inbox.Accept(lane, seq, "R", _target, null, Batch(seq));

    private long ExpectBatch() => Assert.Single(ExpectMsg<ResultBatch>().Items).InputId;

    [Fact]
    public void A_frame_resent_after_the_lane_delivered_it_is_dropped()
    {
        var lane = Guid.NewGuid();
        Accept(lane, 1);
        Accept(lane, 2);
        // The connection broke before it acknowledged 2: the sender resends 2 and 3 through Akka.Remote.
        Accept(lane, 2);
        Accept(lane, 3);

        Assert.Equal([1L, 2L, 3L], [ExpectBatch(), ExpectBatch(), ExpectBatch()]);
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        Assert.Equal((3, 1), (_inbox.Delivered, _inbox.Duplicates));
    }

    [Fact]
    public void Lanes_are_told_apart_by_their_ids()
    {
        Accept(Guid.NewGuid(), 1);
        Accept(Guid.NewGuid(), 1);
        Assert.Equal([1L, 1L], [ExpectBatch(), ExpectBatch()]);
        Assert.Equal(0, _inbox.Duplicates);
    }

    [Fact]
    public void An_unreadable_frame_is_dropped_and_later_frames_still_arrive()
    {
        var lane = Guid.NewGuid();
        _inbox.Accept(lane, 1, "R", _target, null, [1, 2, 3]);
        Accept(lane, 2);
        Assert.Equal(2, ExpectBatch());
        Assert.Equal(1, _inbox.Delivered);
    }

    [Fact]
    public void The_sender_path_becomes_the_sender_of_the_delivered_message()
    {
        var probe = CreateTestProbe();
        _inbox.Accept(Guid.NewGuid(), 1, "R", _target, LaneFrame.PathOf(probe.Ref), Batch(1));
        ExpectMsg<ResultBatch>();
        Assert.Equal(probe.Ref, LastSender);
    }
}
