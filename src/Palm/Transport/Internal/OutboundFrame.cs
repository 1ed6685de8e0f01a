using Akka.Actor;
using Akka.Event;

namespace Palm.Transport.Internal;

/// <summary>
/// One envelope of a lane session, from the moment it is sent until the receiver confirms it: its sequence number and, once
/// serialized, a header and a pooled body that every later send reuses; the message itself is let go
/// (docs/internals.md#outboundframe).
/// </summary>
internal sealed class OutboundFrame(IActorRef target, object message, IActorRef? sender)
{
    // Room an Akka.Remote batch needs around one envelope besides its header strings.
    private const int BatchOverheadBytes = 256;

    private long _sentAt;
    private volatile bool _encoded;
    private object? _message = message;
    private byte[]? _body;
    private FrameBodyPool? _pool;
    // The session's hold (until confirmed or the session ends) plus one per carrier writing it now.
    private int _holds = 1;

    public IActorRef Target { get; } = target;
    public IActorRef? Sender { get; } = sender;

    /// <summary>Its sequence number in the session (set once, under the session's lock).</summary>
    public long Seq { get; set; }

    /// <summary>The lane connection it was queued on; null when it went to Akka.Remote first.</summary>
    public LaneConnection? Connection { get; set; }

    /// <summary>When it was last written to a socket or handed to Akka.Remote (<see cref="LaneContext.NowMs"/>); 0: never.</summary>
    public long SentAt
    {
        get => Volatile.Read(ref _sentAt);
        set => Volatile.Write(ref _sentAt, value);
    }

    public string Manifest { get; private set; } = LaneFrame.SkipManifest;
    public string TargetPath { get; private set; } = "";
    public string? SenderPath { get; private set; }

    /// <summary>The frame's prefix and header, as written to a lane socket.</summary>
    public byte[] Header { get; private set; } = [];

    public int BodyLength { get; private set; }

    /// <summary>
    /// A carrier about to encode or write the frame holds it, so that its body is not reused under
    /// it; false once the frame is released (confirmed, or its session ended): nothing to send then.
    /// Every true is matched by one <see cref="Release"/>.
    /// </summary>
    public bool TryRetain()
    {
        var holds = Volatile.Read(ref _holds);
        while (holds > 0)
        {
            var seen = Interlocked.CompareExchange(ref _holds, holds + 1, holds);
            if (seen == holds) return true;
            holds = seen;
        }
        return false;
    }

    /// <summary>Lets go of a hold (the session's, once confirmed or ended, or a carrier's); the last one returns the body to the pool.</summary>
    public void Release()
    {
        // Below zero would be a release too many: it must never put the body in the pool a second time.
        if (Interlocked.Decrement(ref _holds) != 0) return;
        // No one holds the frame any more, so no one reads the body: it may serve another frame.
        var body = _body;
        _body = null;
        _message = null;
        if (body is not null) _pool?.Return(body);
    }

    /// <summary>
    /// Serializes the envelope straight into a pooled body unless done already (call it while holding the
    /// frame). One that cannot be serialized, or would not fit in Akka.Remote's frame size, becomes a
    /// frame with nothing to deliver (logged): it keeps its place in the sequence, which would
    /// otherwise have a gap forever.
    /// </summary>
    public void Encode(LaneContext context)
    {
        if (_encoded) return;
        lock (this)
        {
            if (_encoded) return;
            var message = _message!;
            TargetPath = LaneFrame.PathOf(Target)!;
            SenderPath = LaneFrame.PathOf(Sender);
            try
            {
                var pool = context.BodyPool;
                var body = context.Serializer.ToBinary(message, pool.Rent);
                var bodyLength = body.Count;
                var manifest = context.Serializer.Manifest(message);
                if (bodyLength + LaneFrame.HeaderBytes(manifest, TargetPath, SenderPath) + BatchOverheadBytes > context.MaxBodyBytes)
                {
                    pool.Return(body.Array!);
                    context.Log.Error("Palm lane: dropped a {0} of {1} bytes for {2}: larger than akka.remote.dot-netty.tcp.maximum-frame-size ({3}).",
                        message.GetType().Name, bodyLength, Target.Path, context.MaxBodyBytes);
                }
                else
                {
                    Manifest = manifest;
                    BodyLength = bodyLength;
                    _pool = pool;
                    _body = body.Array;
                }
            }
            catch (Exception e)
            {
                context.Log.Error(e, "Palm lane: dropped a {0} for {1}: it could not be serialized.", message.GetType().Name, Target.Path);
            }
            Header = LaneFrame.Header(Seq, Manifest, TargetPath, SenderPath, BodyLength);
            _message = null;
            _encoded = true;
        }
    }

    /// <summary>The frame as socket segments: header, then the body (call <see cref="Encode"/> first, while holding the frame).</summary>
    public void AddSegments(List<ArraySegment<byte>> segments)
    {
        segments.Add(Header);
        if (BodyLength > 0) segments.Add(new ArraySegment<byte>(_body!, 0, BodyLength));
    }

    /// <summary>
    /// The envelope as Akka.Remote carries it, with a body of its own (call <see cref="Encode"/> first,
    /// while holding the frame): Akka.Remote serializes it later, after the frame may be released.
    /// </summary>
    public LaneEnvelope ToEnvelope() => new(Seq, Manifest, TargetPath, SenderPath, BodyLength == 0 ? [] : _body.AsSpan(0, BodyLength).ToArray());
}
