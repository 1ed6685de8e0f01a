namespace Palm.Transport;

/// <summary>
/// How a session writes and reads the envelopes it carries. The transport knows no Palm message type:
/// the serializer bound to <c>Deliver</c> implements this, and lanes find it through Akka's serialization.
/// </summary>
internal interface IEnvelopeSerializer
{
    /// <summary>The manifest that names <paramref name="message"/>'s type on the wire.</summary>
    string Manifest(object message);

    /// <summary>Writes <paramref name="message"/> into an array from <paramref name="allocate"/> (which may be longer than what is written).</summary>
    ArraySegment<byte> ToBinary(object message, Func<int, byte[]> allocate);

    /// <summary>Reads a message written by <see cref="ToBinary"/>.</summary>
    object FromBinary(byte[] bytes, string manifest);
}
