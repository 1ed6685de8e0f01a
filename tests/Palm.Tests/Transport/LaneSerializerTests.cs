using System.Runtime.Serialization;
using Akka.Actor;
using Palm.Configuration;
using Palm.Transport;
using Palm.Transport.Internal;
using Xunit;

namespace Palm.Tests.Transport;

/// <summary>The lane's own messages between systems, in Palm's binary format.</summary>
public sealed class LaneSerializerTests() : Akka.TestKit.Xunit2.TestKit(PalmConfig.Reference)
{
    private LaneSerializer Serializer => field ??= new LaneSerializer((ExtendedActorSystem)Sys);

    private object RoundTrip(object message) => Serializer.FromBinary(Serializer.ToBinary(message), Serializer.Manifest(message));

    [Fact]
    public void Every_lane_message_survives_a_round_trip()
    {
        Assert.Same(LaneEndpointRequest.Instance, RoundTrip(LaneEndpointRequest.Instance));
        var secret = Guid.NewGuid();
        Assert.Equal(new LaneEndpoint("10.0.0.1", 4711, secret), RoundTrip(new LaneEndpoint("10.0.0.1", 4711, secret)));
        var session = Guid.NewGuid();
        Assert.Equal(new LaneConfirmed(session, 42), RoundTrip(new LaneConfirmed(session, 42)));

        var batch = new LaneEnvelopes(session, 7, [new LaneEnvelope(8, "R", "akka.tcp://palm@h:1/user/a#1", null, [1, 2, 3]), new LaneEnvelope(9, "-", "t", "s", [])]);
        var back = (LaneEnvelopes)RoundTrip(batch);
        Assert.Equal((session, 7L), (back.Session, back.Confirmed));
        Assert.Equal(batch.Envelopes.Select(e => (e.Seq, e.Manifest, e.Target, e.Sender)), back.Envelopes.Select(e => (e.Seq, e.Manifest, e.Target, e.Sender)));
        Assert.Equal(batch.Envelopes.Select(e => e.Body), back.Envelopes.Select(e => e.Body));
    }

    [Fact]
    public void An_unknown_manifest_or_truncated_bytes_are_refused()
    {
        Assert.Throws<SerializationException>(() => Serializer.FromBinary([], "X"));
        var bytes = Serializer.ToBinary(new LaneEnvelopes(Guid.NewGuid(), 1, [new LaneEnvelope(2, "R", "t", null, new byte[100])]));
        Assert.Throws<SerializationException>(() => Serializer.FromBinary(bytes[..^10], "B"));
    }

    [Fact]
    public void Palm_configuration_binds_it_to_every_lane_message()
    {
        foreach (var type in LaneSerializer.Types)
            Assert.IsType<LaneSerializer>(Sys.Serialization.FindSerializerForType(type));
    }
}
