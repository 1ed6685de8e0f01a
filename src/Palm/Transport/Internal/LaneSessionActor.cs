using Akka.Actor;
using Akka.Event;
using Palm.Messages.Internal;

namespace Palm.Transport.Internal;

/// <summary>
/// The Akka side of one sending session (<see cref="LanePeer"/>): sends through Akka.Remote what no lane took, resends what
/// stays unconfirmed, and ends the session once the receiving system is known dead (docs/internals.md#lanesessionactor).
/// </summary>
internal sealed class LaneSessionActor : ReceiveActor, IWithTimers
{
    // An Akka.Remote batch carries envelopes up to about this many bytes (a larger one goes alone):
    // large messages cost Akka.Remote gen-2 collections (see palm.batch.max-bytes).
    private const long MaxBatchBytes = 64 * 1024;
    private const int MaxBatchEnvelopes = 64;
    // A retry round sends at most this many bytes: what is missing is the oldest, and the receiver
    // holds what came after it; the next round sends more if that was not enough.
    private const long MaxResendBytes = 1024 * 1024;

    private readonly LanePeer _peer;
    private readonly LaneContext _context;
    private readonly Action<LanePeer> _ended;
    private long _confirmedAtLastTick;

    /// <param name="peer">The session.</param>
    /// <param name="context">What the system's lanes share.</param>
    /// <param name="ended">Unlists the session once its peer is gone.</param>
    public LaneSessionActor(LanePeer peer, LaneContext context, Action<LanePeer> ended)
    {
        _peer = peer;
        _context = context;
        _ended = ended;
        Receive<LaneFlush>(_ => Send(_peer.TakeUnsent(), ref _context.Counters.ViaRemote));
        Receive<LaneConnectionClosed>(c => Send(_peer.TakeOf(c.Connection), ref _context.Counters.Resent));
        Receive<LaneResendTick>(_ => Resend());
        // The receiver may have forgotten the session (idle for long): tell it what it had confirmed,
        // so that frames on the new connection are not taken for a gap.
        Receive<LaneConnectionOpened>(_ => _peer.RemoteLane.Tell(new LaneEnvelopes(_peer.Session, _peer.Confirmed, []), Self));
        Receive<LaneConfirmed>(c =>
        {
            // Only the peer's lane actor confirms: a confirmation from anyone else would make the
            // session forget envelopes the peer never had.
            if (c.Session == _peer.Session && Sender.Path.Address.Equals(_peer.RemoteLane.Path.Address)) _peer.Confirm(c.UpTo);
        });
        Receive<Terminated>(t =>
        {
            if (!t.ActorRef.Equals(_peer.RemoteLane)) return;
            // Unlisted first: a send that finds the session ended starts a new one.
            _ended(_peer);
            var dropped = _peer.End();
            if (!_context.Stopping())
            {
                if (dropped > 0)
                    _context.Log.Warning("Palm lane session {0} to {1} ended: that actor system is gone; dropped the {2} envelopes it had not confirmed.",
                        _peer.Session, _peer.Address, dropped);
                else
                    _context.Log.Debug("Palm lane session {0} to {1} ended: that actor system is gone.", _peer.Session, _peer.Address);
            }
            Context.Stop(Self);
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart()
    {
        Context.Watch(_peer.RemoteLane);
        Timers.StartPeriodicTimer(LaneResendTick.Instance, LaneResendTick.Instance, _context.Settings.ResendInterval);
    }

    /// <summary>
    /// Sends again what is overdue, unless the receiver confirmed more since the last round: then it is
    /// alive and catching up (a slow confirmation is no loss), and sending again would only add load.
    /// A loss stops its confirmations, so it is sent again one round later at most.
    /// </summary>
    private void Resend()
    {
        var confirmed = _peer.Confirmed;
        if (confirmed > _confirmedAtLastTick)
        {
            _confirmedAtLastTick = confirmed;
            return;
        }
        Send(_peer.TakeOverdue(_context.NowMs(), _context.Settings.ResendInterval, MaxResendBytes), ref _context.Counters.Resent);
    }

    private void Send(List<OutboundFrame> frames, ref long counter)
    {
        if (frames.Count == 0 || _context.Stopping()) return;
        var fuzzing = _context.Fuzzing;
        // Each batch must fit in Akka.Remote's frame size, which one envelope alone does.
        var batch = new EnvelopeBatch<LaneEnvelope>(MaxBatchEnvelopes, MaxBatchBytes, (envelopes, _) => _peer.RemoteLane.Tell(Batch(envelopes), Self));
        LaneEnvelope? held = null;
        var sent = 0;
        var now = _context.NowMs();
        foreach (var frame in frames)
        {
            // Confirmed meanwhile (the receiver has it), or released: nothing to send.
            if (frame.Seq <= _peer.Confirmed || !frame.TryRetain()) continue;
            LaneEnvelope envelope;
            try
            {
                frame.Encode(_context);
                envelope = frame.ToEnvelope();
            }
            finally
            {
                frame.Release();
            }
            frame.SentAt = now;
            sent++;
            switch (fuzzing?.Next() ?? Fault.None)
            {
                case Fault.Drop:
                    continue;
                case Fault.Delay:
                    Context.System.Scheduler.ScheduleTellOnce(fuzzing!.NextDelay(), _peer.RemoteLane, Batch([envelope]), Self);
                    continue;
                case Fault.Reorder when held is null:
                    held = envelope;
                    continue;
                case Fault.Duplicate:
                    Add(envelope);
                    break;
            }
            Add(envelope);
            if (held is not null)
            {
                Add(held);
                held = null;
            }
        }
        if (held is not null) Add(held);
        batch.Flush();
        Interlocked.Add(ref counter, sent);

        void Add(LaneEnvelope envelope) => batch.Add(envelope, envelope.Body.Length);
    }

    private LaneEnvelopes Batch(IReadOnlyList<LaneEnvelope> envelopes) => new(_peer.Session, _peer.Confirmed, envelopes);
}
