using Akka.Actor;

namespace Palm.Transport.Internal;

/// <summary>
/// A system's lane on the Akka side, at <c>/system/palm-lane</c>: tells peers where the lane listens
/// and hands each the secret its lane handshakes present, delivers the envelopes of sessions that
/// Akka.Remote carried (answering each batch with a <see cref="LaneConfirmed"/>), and lets the inbox
/// forget sessions idle for long.
/// </summary>
/// <remarks>
/// Who sent a message is its sender's address as Akka.Remote saw it (with TLS on, a system that
/// authenticated). A <see cref="LaneEndpointRequest"/> is answered for anyone, with a secret bound to
/// the asking system; a <see cref="LaneEnvelopes"/> batch counts as sent by its sender's system, and
/// one without a remote sender is refused: whatever claims to come from this system's own actors
/// arrived from outside.
/// </remarks>
internal sealed class LaneActor : ReceiveActor, IWithTimers
{
    public const string Name = "palm-lane";

    private readonly LaneInbox? _inbox;
    private readonly Func<LaneFuzzing?> _fuzzing;

    public LaneActor(LaneEndpoint endpoint, LaneInbox? inbox, Func<LaneFuzzing?> fuzzing)
    {
        _inbox = inbox;
        _fuzzing = fuzzing;
        Receive<LaneEndpointRequest>(_ => Sender.Tell(Answer(endpoint)));
        Receive<LaneEnvelopes>(Accept);
        Receive<LaneForgetTick>(_ => _inbox?.ForgetIdleSessions());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart()
    {
        if (_inbox is not null) Timers.StartPeriodicTimer(LaneForgetTick.Instance, LaneForgetTick.Instance, TimeSpan.FromMinutes(1));
    }

    /// <summary>The endpoint, with the secret of the asking system (none for a local asker, or without a lane).</summary>
    private LaneEndpoint Answer(LaneEndpoint endpoint)
    {
        var from = Sender.Path.Address;
        if (_inbox is null || endpoint.Port == 0 || from.HasLocalScope) return endpoint;
        return endpoint with { Secret = _inbox.Identities.Issue(from) };
    }

    private void Accept(LaneEnvelopes batch)
    {
        if (_inbox is null) return;
        var from = Sender.Path.Address;
        if (from.HasLocalScope)
        {
            // Sessions are between systems: no sender, or a sender of this system, came from a stranger.
            _inbox.RefuseUnaddressed(batch.Session);
            return;
        }
        var confirmed = _inbox.Resume(from, batch.Session, batch.Confirmed);
        if (confirmed == LaneInbox.Refused) return;
        foreach (var e in batch.Envelopes) confirmed = _inbox.Accept(from, batch.Session, e.Seq, e.Manifest, e.Target, e.Sender, e.Body);
        var reply = new LaneConfirmed(batch.Session, confirmed);
        var fuzzing = _fuzzing();
        switch (fuzzing?.Next() ?? Fault.None)
        {
            case Fault.Drop:
                break;
            case Fault.Delay or Fault.Reorder:
                Context.System.Scheduler.ScheduleTellOnce(fuzzing!.NextDelay(), Sender, reply, Self);
                break;
            case Fault.Duplicate:
                Sender.Tell(reply);
                Sender.Tell(reply);
                break;
            default:
                Sender.Tell(reply);
                break;
        }
    }
}
