using Akka.Actor;
using Akka.Event;
using Palm.Messages;
using Palm.Serialization;
using Palm.Transport;
using Palm.Transport.Internal;
using Xunit;

namespace Palm.Tests.Transport;

/// <summary>The receiving side of the sessions: every envelope delivered once and in order, whichever way it came.</summary>
public sealed class LaneInboxTests : Akka.TestKit.Xunit2.TestKit
{
    private readonly PalmSerializer _serializer;
    private readonly LaneInbox _inbox;
    private readonly string _target;
    private readonly Address _peer = new("akka.tcp", "peer", "127.0.0.1", 1);

    public LaneInboxTests()
    {
        _serializer = new PalmSerializer((ExtendedActorSystem)Sys);
        _inbox = new LaneInbox((ExtendedActorSystem)Sys, _serializer, DataLanes.Get(Sys).Receivers, Logging.GetLogger(Sys, "test"), reorderFrames: 8, reorderBytes: 1 << 20);
        // Lanes deliver only to Palm's actors: a stand-in client passes what it gets to the test actor.
        _target = LaneFrame.PathOf(LaneTestTargets.ClientStandIn(Sys, TestActor))!;
    }

    private byte[] Batch(long input) =>
        _serializer.ToBinary(new ResultBatch(Guid.Empty, [new ResultItem(input, Weights.Whole, ResultKind.Payload, new byte[] { (byte)input }, null)]));

    private long Accept(Guid lane, long seq) => _inbox.Accept(_peer, lane, seq, "R", _target, null, Batch(seq));

    private long ExpectBatch() => Assert.Single(ExpectMsg<ResultBatch>().Items).InputId;

    [Fact]
    public void A_frame_resent_after_the_lane_delivered_it_is_dropped_and_still_confirmed()
    {
        var lane = Guid.NewGuid();
        Accept(lane, 1);
        Accept(lane, 2);
        // The connection broke before it acknowledged 2: the sender resends 2 and 3 through Akka.Remote.
        Assert.Equal(2, Accept(lane, 2));
        Assert.Equal(3, Accept(lane, 3));

        Assert.Equal([1L, 2L, 3L], [ExpectBatch(), ExpectBatch(), ExpectBatch()]);
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        Assert.Equal((3, 1), (_inbox.Delivered, _inbox.Duplicates));
    }

    [Fact]
    public void A_gap_is_held_and_delivered_in_order_when_the_missing_envelope_arrives()
    {
        var lane = Guid.NewGuid();
        Assert.Equal(1, Accept(lane, 1));
        Assert.Equal(1, ExpectBatch());
        // Envelope 2 is lost on its way; 3 to 7 arrive and wait for it, confirming only 1.
        for (var seq = 3; seq <= 7; seq++) Assert.Equal(1, Accept(lane, seq));
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        Assert.Equal(5, _inbox.Held);

        Assert.Equal(7, Accept(lane, 2));
        Assert.Equal([2L, 3L, 4L, 5L, 6L, 7L], Enumerable.Range(0, 6).Select(_ => ExpectBatch()));
        Assert.Equal(7, _inbox.Delivered);
    }

    [Fact]
    public void Envelopes_ahead_of_a_gap_beyond_the_reorder_buffer_are_dropped_until_sent_again()
    {
        var lane = Guid.NewGuid();
        for (var seq = 2; seq <= 10; seq++) Accept(lane, seq);
        Assert.Equal((8L, 1L), (_inbox.Held, _inbox.Overflowed));

        Assert.Equal(9, Accept(lane, 1));
        Assert.Equal(Enumerable.Range(1, 9).Select(i => (long)i), Enumerable.Range(0, 9).Select(_ => ExpectBatch()));
        // The sender had no confirmation for 10 and sends it again.
        Assert.Equal(10, Accept(lane, 10));
        Assert.Equal(10, ExpectBatch());
    }

    [Fact]
    public void A_duplicate_of_an_envelope_held_ahead_of_a_gap_is_dropped()
    {
        var lane = Guid.NewGuid();
        Accept(lane, 2);
        Accept(lane, 2);
        Assert.Equal((1L, 1L), (_inbox.Held, _inbox.Duplicates));
        Accept(lane, 1);
        Assert.Equal([1L, 2L], [ExpectBatch(), ExpectBatch()]);
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void Sessions_are_told_apart_by_their_ids()
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
        Assert.Equal(1, _inbox.Accept(_peer, lane, 1, "R", _target, null, [1, 2, 3]));
        Accept(lane, 2);
        Assert.Equal(2, ExpectBatch());
        Assert.Equal(1, _inbox.Delivered);
    }

    [Fact]
    public void A_frame_with_nothing_to_deliver_fills_its_place_in_the_sequence()
    {
        var lane = Guid.NewGuid();
        Accept(lane, 2);
        Assert.Equal(2, _inbox.Accept(_peer, lane, 1, LaneFrame.SkipManifest, _target, null, []));
        Assert.Equal(2, ExpectBatch());
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void The_sender_path_becomes_the_sender_of_the_delivered_message()
    {
        var probe = CreateTestProbe();
        // The probe is an actor of this system: so is the peer here.
        _inbox.Accept(((ExtendedActorSystem)Sys).Provider.DefaultAddress, Guid.NewGuid(), 1, "R", _target, LaneFrame.PathOf(probe.Ref), Batch(1));
        ExpectMsg<ResultBatch>();
        Assert.Equal(probe.Ref, LastSender);
    }

    [Fact]
    public void A_session_with_an_open_connection_is_never_forgotten_and_an_idle_closed_one_is()
    {
        var lane = Guid.NewGuid();
        Assert.True(_inbox.ConnectionOpened(_peer, lane));
        Accept(lane, 1);
        _inbox.ForgetIdleSessions(TimeSpan.Zero);
        Assert.Equal(1, _inbox.Confirmed(lane));

        _inbox.ConnectionClosed(lane);
        _inbox.ForgetIdleSessions(TimeSpan.Zero);
        Assert.Equal(0, _inbox.Confirmed(lane));
        Assert.Equal(0, _inbox.Sessions);
    }

    [Fact]
    public void A_forgotten_session_continues_from_what_its_sender_says_was_confirmed()
    {
        var lane = Guid.NewGuid();
        Accept(lane, 1);
        Accept(lane, 2);
        Assert.Equal([1L, 2L], [ExpectBatch(), ExpectBatch()]);
        _inbox.ForgetIdleSessions(TimeSpan.Zero);

        // Envelope 3 on a new connection looks like a gap to a receiver that forgot; the sender's note fixes it.
        Assert.Equal(0, Accept(lane, 3));
        Assert.Equal(3, _inbox.Resume(_peer, lane, 2));
        Assert.Equal(3, ExpectBatch());
        // A note from the past changes nothing.
        Assert.Equal(3, _inbox.Resume(_peer, lane, 1));
    }

    [Fact]
    public void A_session_belongs_to_the_system_that_used_it_first()
    {
        var lane = Guid.NewGuid();
        var other = new Address("akka.tcp", "other", "127.0.0.1", 2);
        Assert.Equal(1, Accept(lane, 1));
        Assert.Equal(1, ExpectBatch());

        // Another system naming that session moves nothing on and delivers nothing.
        Assert.Equal(LaneInbox.Refused, _inbox.Resume(other, lane, 100));
        Assert.Equal(LaneInbox.Refused, _inbox.Accept(other, lane, 2, "R", _target, null, Batch(2)));
        Assert.False(_inbox.ConnectionOpened(other, lane));
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        Assert.Equal((1L, 3L), (_inbox.Confirmed(lane), _inbox.RefusedSessions));

        Assert.Equal(2, Accept(lane, 2));
        Assert.Equal(2, ExpectBatch());
    }

    [Fact]
    public void An_envelope_whose_sender_is_not_an_actor_of_its_peer_fills_its_place_and_is_not_delivered()
    {
        var lane = Guid.NewGuid();
        var elsewhere = "akka.tcp://palm@127.0.0.1:9/user/palm/server-a";
        Assert.Equal(1, _inbox.Accept(_peer, lane, 1, "R", _target, elsewhere, Batch(1)));
        var own = _peer + "/user/palm/server-a";
        Assert.Equal(2, _inbox.Accept(_peer, lane, 2, "R", _target, own, Batch(2)));
        Assert.Equal(2, ExpectBatch());
        Assert.Equal((1L, 1L), (_inbox.Delivered, _inbox.RefusedFrames));
    }
}
