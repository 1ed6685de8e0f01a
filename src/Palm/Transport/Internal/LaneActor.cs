using Akka.Actor;

namespace Palm.Transport.Internal;

/// <summary>
/// A system's lane on the Akka side, at <c>/system/palm-lane</c>: tells peers where the lane listens,
/// delivers the envelopes of sessions that Akka.Remote carried (answering each batch with a
/// <see cref="LaneConfirmed"/>), and lets the inbox forget sessions idle for long.
/// </summary>
internal sealed class LaneActor : ReceiveActor, IWithTimers
{
    public const string Name = "palm-lane";

    private readonly LaneInbox? _inbox;
    private readonly Func<LaneFuzzing?> _fuzzing;

    public LaneActor(LaneEndpoint endpoint, LaneInbox? inbox, Func<LaneFuzzing?> fuzzing)
    {
        _inbox = inbox;
        _fuzzing = fuzzing;
        Receive<LaneEndpointRequest>(_ => Sender.Tell(endpoint));
        Receive<LaneEnvelopes>(Accept);
        Receive<LaneForgetTick>(_ => _inbox?.ForgetIdleSessions());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart()
    {
        if (_inbox is not null) Timers.StartPeriodicTimer(LaneForgetTick.Instance, LaneForgetTick.Instance, TimeSpan.FromMinutes(1));
    }

    private void Accept(LaneEnvelopes batch)
    {
        if (_inbox is null) return;
        var confirmed = _inbox.Resume(batch.Session, batch.Confirmed);
        foreach (var e in batch.Envelopes) confirmed = _inbox.Accept(batch.Session, e.Seq, e.Manifest, e.Target, e.Sender, e.Body);
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
