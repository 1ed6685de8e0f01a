using Akka.Actor;
using Palm.Diagnostics;

namespace Palm.Transport.Internal;

/// <summary>
/// A system's lane on the Akka side, at <c>/system/palm-lane</c>: tells admitted peers where the lane listens, with a secret,
/// delivers the envelopes Akka.Remote carried, and lets the inbox forget idle sessions. A stranger learns neither a secret
/// nor the lane's port (docs/internals.md#laneactor).
/// </summary>
internal sealed class LaneActor : ReceiveActor, IWithTimers
{
    public const string Name = "palm-lane";

    /// <summary>How long a request from a system not (yet) admitted waits before it is dropped.</summary>
    public static readonly TimeSpan AdmissionWait = TimeSpan.FromSeconds(2);

    // Requests waiting for admission at once; more are dropped at once (a stranger cannot grow this).
    private const int MaxWaiting = 256;
    private static readonly TimeSpan AdmissionCheckEvery = TimeSpan.FromMilliseconds(50);

    private readonly LaneEndpoint _endpoint;
    private readonly LaneInbox? _inbox;
    private readonly Func<LaneFuzzing?> _fuzzing;
    private readonly Func<Address, bool> _admitted;
    private readonly List<(IActorRef Asker, long Deadline)> _waiting = [];
    private readonly RateLimitedLog _refusals;

    public LaneActor(LaneEndpoint endpoint, LaneInbox? inbox, Func<LaneFuzzing?> fuzzing, Func<Address, bool> admitted)
    {
        _endpoint = endpoint;
        _inbox = inbox;
        _fuzzing = fuzzing;
        _admitted = admitted;
        _refusals = new RateLimitedLog(Akka.Event.Logging.GetLogger(Context.System, "palm-lane"), RateLimitedLog.StrangerInterval);
        Receive<LaneEndpointRequest>(_ => OnEndpointRequest(Sender));
        Receive<LaneAdmissionTick>(_ => CheckWaiting());
        Receive<LaneEnvelopes>(Accept);
        Receive<LaneForgetTick>(_ => _inbox?.ForgetIdleSessions());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart()
    {
        if (_inbox is not null) Timers.StartPeriodicTimer(LaneForgetTick.Instance, LaneForgetTick.Instance, TimeSpan.FromMinutes(1));
    }

    private void OnEndpointRequest(IActorRef asker)
    {
        var from = asker.Path.Address;
        // Nothing to hand out (no lane), or a local asker: the plain endpoint.
        if (_inbox is null || _endpoint.Port == 0 || from.HasLocalScope)
        {
            asker.Tell(_endpoint);
            return;
        }
        if (_admitted(from))
        {
            asker.Tell(_endpoint with { Secret = _inbox.Identities.Issue(from) });
            return;
        }
        if (_waiting.Count >= MaxWaiting)
        {
            Refuse(from);
            return;
        }
        _waiting.Add((asker, Environment.TickCount64 + (long)AdmissionWait.TotalMilliseconds));
        if (_waiting.Count == 1) Timers.StartPeriodicTimer(LaneAdmissionTick.Instance, LaneAdmissionTick.Instance, AdmissionCheckEvery);
    }

    private void CheckWaiting()
    {
        var now = Environment.TickCount64;
        _waiting.RemoveAll(w =>
        {
            var from = w.Asker.Path.Address;
            if (_admitted(from))
            {
                w.Asker.Tell(_endpoint with { Secret = _inbox!.Identities.Issue(from) });
                return true;
            }
            if (now < w.Deadline) return false;
            Refuse(from);
            return true;
        });
        if (_waiting.Count == 0) Timers.Cancel(LaneAdmissionTick.Instance);
    }

    private void Refuse(Address from) =>
        _refusals.Warn("lane-secret", $"Palm lane: no lane secret for {from}: it is neither a member of this cluster nor a connected client (nor, for a client, a node of its cluster).");

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
