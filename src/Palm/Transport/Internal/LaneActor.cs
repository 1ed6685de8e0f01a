using Akka.Actor;

namespace Palm.Transport.Internal;

/// <summary>
/// A system's lane on the Akka side, at <c>/system/palm-lane</c>: tells peers where the lane listens,
/// and delivers envelopes resent through Akka.Remote after a lane connection broke.
/// </summary>
internal sealed class LaneActor : ReceiveActor
{
    public const string Name = "palm-lane";

    public LaneActor(LaneEndpoint endpoint, LaneInbox? inbox)
    {
        Receive<LaneEndpointRequest>(_ => Sender.Tell(endpoint));
        Receive<LaneResend>(r => inbox?.Accept(r.Lane, r.Seq, r.Manifest, r.Target, r.Sender, r.Body));
    }
}
