using System.Buffers.Binary;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Configuration;
using Palm.Configuration;
using Palm.Messages;
using Palm.Serialization;
using Palm.Tests.Support;
using Palm.Transport;
using Palm.Transport.Internal;
using Xunit;

namespace Palm.Tests.Transport;

/// <summary>Sessions between two real actor systems with Akka.Remote (no cluster): the test's and another.</summary>
[Trait(TestCategories.Category, TestCategories.Cluster)]
public sealed class LaneDeliveryTests() : Akka.TestKit.Xunit2.TestKit(Config)
{
    private static readonly Config Config = ConfigurationFactory.ParseString("""
        akka.actor.provider = remote
        akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0 }
        akka.remote.watch-failure-detector.acceptable-heartbeat-pause = 3s
        palm.lane { resend-interval = 200ms, retry-after = 200ms }
        """).WithFallback(PalmConfig.Reference);

    private PalmSerializer Serializer => field ??= (PalmSerializer)Sys.Serialization.FindSerializerForType(typeof(ResultBatch));

    private static ResultBatch Batch(long input, int size = 1000) =>
        new(Guid.Empty, [new ResultItem(input, Weights.Whole, ResultKind.Payload, new byte[size], null)]);

    [Fact]
    public async Task A_gap_on_a_lane_connection_is_held_and_delivered_in_order_when_the_missing_frame_arrives()
    {
        var lanes = DataLanes.Get(Sys);
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync("127.0.0.1", lanes.Port);
        await socket.SendAsync(LaneFrame.Handshake(Guid.NewGuid(), lanes.Inbox!.Identities.Issue(new Address("akka.tcp", "peer", "127.0.0.1", 1))));
        var target = LaneFrame.PathOf(LaneTestTargets.ClientStandIn(Sys, TestActor))!;

        async Task<long> Send(long seq)
        {
            var body = Serializer.ToBinary(Batch(seq, 10));
            await socket.SendAsync(LaneFrame.Header(seq, "R", target, null, body.Length).Concat(body).ToArray());
            var ack = new byte[8];
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await socket.ReceiveAsync(ack, SocketFlags.None, timeout.Token);
            return BinaryPrimitives.ReadInt64LittleEndian(ack);
        }

        Assert.Equal(1, await Send(1));
        Assert.Equal(1, ExpectMsg<ResultBatch>().Items[0].InputId);
        // Frame 2 is missing: 3 to 7 wait for it, and the acknowledgement stays at 1.
        for (var seq = 3; seq <= 7; seq++) Assert.Equal(1, await Send(seq));
        ExpectNoMsg(TimeSpan.FromMilliseconds(300));

        Assert.Equal(7, await Send(2));
        Assert.Equal([2L, 3L, 4L, 5L, 6L, 7L], Enumerable.Range(0, 6).Select(_ => ExpectMsg<ResultBatch>().Items[0].InputId));
        // And a duplicate is dropped, still acknowledged.
        Assert.Equal(7, await Send(5));
        ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public async Task A_session_whose_receiving_system_is_terminated_stops_resending_and_logs_what_it_dropped()
    {
        var other = ActorSystem.Create("other", Config);
        try
        {
            DataLanes.Get(other);
            var inOther = other.ActorOf(Props.Empty, "target");
            var address = ((ExtendedActorSystem)other).Provider.DefaultAddress;
            var target = ((ExtendedActorSystem)Sys).Provider.ResolveActorRef(inOther.Path.ToStringWithAddress(address));
            var lanes = DataLanes.Get(Sys);
            // Nothing this system sends arrives: not on the lane, not through Akka.Remote.
            lanes.Fuzzing = new LaneFuzzing(new LaneFuzzingSettings(1, 0, 0, 0, TimeSpan.Zero, 1));

            for (var i = 0; i < 5; i++) lanes.Tell(target, Batch(i), TestActor, 1000);
            var peer = Assert.Single(lanes.Peers);
            Assert.Equal(5, peer.Unconfirmed);
            var resent = lanes.Counters.Resent;
            AwaitCondition(() => lanes.Counters.Resent >= resent + 10, TimeSpan.FromSeconds(20));

            Watch(peer.Actor);
            await EventFilter.Warning(contains: $"to {address} ended: that actor system is gone; dropped the 5 envelopes")
                .ExpectOneAsync(TimeSpan.FromSeconds(30), async () => await other.Terminate());
            ExpectTerminated(peer.Actor);
            Assert.Empty(lanes.Peers);
            Assert.Equal(5, lanes.Counters.Abandoned);
            resent = lanes.Counters.Resent;
            ExpectNoMsg(TimeSpan.FromMilliseconds(800));
            Assert.Equal(resent, lanes.Counters.Resent);
        }
        finally
        {
            await other.Terminate();
        }
    }
}
