namespace Palm.Transport;

/// <summary>Asks a system's lane actor where its lane listens, and for the secret that lets the asking system open lanes to it.</summary>
internal sealed record LaneEndpointRequest
{
    public static readonly LaneEndpointRequest Instance = new();
}

/// <summary>Where a system's lane listens, and the secret the asking system presents in its lane handshakes.</summary>
/// <param name="Host">The lane's host.</param>
/// <param name="Port">The lane's port; 0 when the system has no lane.</param>
/// <param name="Secret">
/// Random, bound by the answering system to the address of the system that asked (as Akka.Remote saw
/// it): frames on a connection that presents it are taken as that system's, and only that system's.
/// Empty when there is no lane or the asker is not a remote system.
/// </param>
internal sealed record LaneEndpoint(string Host, int Port, Guid Secret)
{
    /// <summary>Without the secret: messages end up in logs (dead letters, debug logging).</summary>
    public override string ToString() => $"LaneEndpoint {{ Host = {Host}, Port = {Port} }}";
}

/// <summary>
/// Envelopes of a lane session carried by Akka.Remote to the receiver's lane actor, which delivers each once, in sequence
/// order, and answers with a <see cref="LaneConfirmed"/>. An empty batch only tells <paramref name="Confirmed"/>
/// (docs/internals.md#laneenvelopes).
/// </summary>
/// <param name="Session">The sender's session with the receiving system.</param>
/// <param name="Confirmed">The highest sequence number the receiver has confirmed so far (all below it too).</param>
/// <param name="Envelopes">The envelopes, usually in sequence order.</param>
internal sealed record LaneEnvelopes(Guid Session, long Confirmed, IReadOnlyList<LaneEnvelope> Envelopes);

/// <summary>One envelope of a <see cref="LaneEnvelopes"/> batch, as a lane frame would carry it.</summary>
/// <param name="Seq">Its sequence number in the session.</param>
/// <param name="Manifest">The Palm serializer manifest of <paramref name="Body"/> (<c>-</c>: nothing to deliver).</param>
/// <param name="Target">Serialized path of the actor it is for.</param>
/// <param name="Sender">Serialized path of its sender, if any.</param>
/// <param name="Body">The envelope as the Palm serializer wrote it.</param>
internal sealed record LaneEnvelope(long Seq, string Manifest, string Target, string? Sender, byte[] Body);

/// <summary>The receiver of a session has delivered every envelope up to <paramref name="UpTo"/>, in order.</summary>
internal sealed record LaneConfirmed(Guid Session, long UpTo);

/// <summary>Tells a session actor that envelopes wait for Akka.Remote (no lane connection took them).</summary>
internal sealed record LaneFlush
{
    public static readonly LaneFlush Instance = new();
}

/// <summary>Tells a session actor to send again what its peer has not confirmed for a while.</summary>
internal sealed record LaneResendTick
{
    public static readonly LaneResendTick Instance = new();
}

/// <summary>Tells a session actor that a lane connection of its session came up.</summary>
internal sealed record LaneConnectionOpened(Internal.LaneConnection Connection);

/// <summary>Tells a session actor that a lane connection of its session closed: what it had not confirmed goes through Akka.Remote.</summary>
internal sealed record LaneConnectionClosed(Internal.LaneConnection Connection);

/// <summary>Tells a system's lane actor to forget sessions idle for long.</summary>
internal sealed record LaneForgetTick
{
    public static readonly LaneForgetTick Instance = new();
}

/// <summary>Tells a system's lane actor to look again at lane requests waiting for their system to be admitted.</summary>
internal sealed record LaneAdmissionTick
{
    public static readonly LaneAdmissionTick Instance = new();
}
