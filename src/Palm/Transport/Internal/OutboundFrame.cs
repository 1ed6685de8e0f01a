using Akka.Actor;
using Akka.Event;
using Palm.Messages.Internal;

namespace Palm.Transport.Internal;

/// <summary>
/// One envelope of a lane session, from the moment it is sent until the receiver confirms it: its
/// sequence number, and once serialized (by whichever carrier needs it first) the frame's header and
/// body, which every later send reuses.
/// </summary>
internal sealed class OutboundFrame(IActorRef target, object message, IActorRef? sender)
{
    // Payloads of at least GatherMinBytes are written to the socket from their own arrays (up to
    // GatherMaxPayloads per envelope) instead of being copied into the envelope's buffer.
    private const int GatherMinBytes = 8 * 1024;
    private const int GatherMaxPayloads = 16;
    // Room an Akka.Remote batch needs around one envelope besides its header strings.
    private const int BatchOverheadBytes = 256;

    private long _sentAt;
    private volatile bool _encoded;

    public IActorRef Target { get; } = target;
    public object Message { get; } = message;
    public IActorRef? Sender { get; } = sender;

    /// <summary>Its sequence number in the session (set once, under the session's lock).</summary>
    public long Seq { get; set; }

    /// <summary>The lane connection it was queued on; null when it went to Akka.Remote first.</summary>
    public LaneConnection? Connection { get; set; }

    /// <summary>When it was last written to a socket or handed to Akka.Remote (<see cref="Environment.TickCount64"/>); 0: never.</summary>
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

    private byte[] _buffer = [];
    private Gather? _gather;

    /// <summary>
    /// Serializes the envelope unless done already; <paramref name="gather"/> leaves large payloads out
    /// of the buffer for a gathering socket write. One that cannot be serialized, or would not fit in
    /// Akka.Remote's frame size, becomes a frame with nothing to deliver (logged): it keeps its place in
    /// the sequence, which would otherwise have a gap forever.
    /// </summary>
    public void Encode(LaneContext context, bool gather)
    {
        if (_encoded) return;
        lock (this)
        {
            if (_encoded) return;
            TargetPath = LaneFrame.PathOf(Target)!;
            SenderPath = LaneFrame.PathOf(Sender);
            try
            {
                var g = gather ? new Gather(GatherMinBytes, GatherMaxPayloads) : null;
                var buffer = g is null ? context.Serializer.ToBinary(Message) : context.Serializer.ToBinary(Message, g);
                var bodyLength = buffer.Length + (g?.TakenBytes ?? 0);
                var manifest = context.Serializer.Manifest(Message);
                if (bodyLength + LaneFrame.HeaderBytes(manifest, TargetPath, SenderPath) + BatchOverheadBytes > context.MaxBodyBytes)
                {
                    context.Log.Error("Palm lane: dropped a {0} of {1} bytes for {2}: larger than akka.remote.dot-netty.tcp.maximum-frame-size ({3}).",
                        Message.GetType().Name, bodyLength, Target.Path, context.MaxBodyBytes);
                }
                else
                {
                    Manifest = manifest;
                    _buffer = buffer;
                    _gather = g is { TakenBytes: > 0 } ? g : null;
                    BodyLength = (int)bodyLength;
                }
            }
            catch (Exception e)
            {
                context.Log.Error(e, "Palm lane: dropped a {0} for {1}: it could not be serialized.", Message.GetType().Name, Target.Path);
            }
            Header = LaneFrame.Header(Seq, Manifest, TargetPath, SenderPath, BodyLength);
            _encoded = true;
        }
    }

    /// <summary>The frame as socket segments: header, then the body's pieces (call <see cref="Encode"/> first).</summary>
    public void AddSegments(List<ArraySegment<byte>> segments)
    {
        segments.Add(Header);
        if (_gather is { } gather) segments.AddRange(gather.Segments(_buffer));
        else segments.Add(_buffer);
    }

    /// <summary>The body in one array (a copy when payloads were gathered), for Akka.Remote.</summary>
    public byte[] Body()
    {
        if (_gather is not { } gather) return _buffer;
        var body = new byte[BodyLength];
        var at = 0;
        foreach (var segment in gather.Segments(_buffer))
        {
            segment.AsSpan().CopyTo(body.AsSpan(at));
            at += segment.Count;
        }
        return body;
    }

    /// <summary>The envelope as Akka.Remote carries it (call <see cref="Encode"/> first).</summary>
    public LaneEnvelope ToEnvelope() => new(Seq, Manifest, TargetPath, SenderPath, Body());
}
