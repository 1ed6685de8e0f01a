namespace Palm.Transport;

/// <summary>Asks a node's lane actor where its lane listens.</summary>
internal sealed record LaneEndpointRequest
{
    public static readonly LaneEndpointRequest Instance = new();
}

/// <summary>Where a node's lane listens; <see cref="Port"/> 0 when the node has no lane.</summary>
internal sealed record LaneEndpoint(string Host, int Port);

/// <summary>
/// An envelope a lane connection broke before the receiver confirmed it, sent again through
/// Akka.Remote to the receiver's lane actor, which delivers it unless the lane already had.
/// </summary>
/// <param name="Lane">The connection the envelope was first sent on.</param>
/// <param name="Seq">Its sequence number on that connection.</param>
/// <param name="Manifest">The Palm serializer manifest of <paramref name="Body"/>.</param>
/// <param name="Target">Serialized path of the actor it is for.</param>
/// <param name="Sender">Serialized path of its sender, if any.</param>
/// <param name="Body">The envelope as the Palm serializer wrote it.</param>
internal sealed record LaneResend(Guid Lane, long Seq, string Manifest, string Target, string? Sender, byte[] Body);
