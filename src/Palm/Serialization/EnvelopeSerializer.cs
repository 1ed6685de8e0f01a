using Palm.Messages;
using Palm.Transport;

namespace Palm.Serialization;

/// <summary>
/// What lane sessions write their envelopes with: every message that travels between systems through
/// <c>DataLanes.Tell</c>. The data path's messages (<see cref="Deliver"/>, <see cref="ResultBatch"/>, a
/// butterfly's work and answers) as <see cref="PalmSerializer"/> writes them, under its manifests; control
/// messages (<see cref="IPalmControlMessage"/>: a reduce flush, a worker's drain) as
/// <see cref="PalmControlSerializer"/> writes them, under its manifests behind <see cref="ControlPrefix"/>,
/// so that the two sets of manifests never meet. Neither serializer's own manifests change: through
/// Akka.Remote, outside a session, each message is written as before.
/// </summary>
internal sealed class EnvelopeSerializer(PalmSerializer data, PalmControlSerializer control) : IEnvelopeSerializer
{
    /// <summary>Put before a control message's manifest in a session.</summary>
    public const string ControlPrefix = "+";

    public string Manifest(object message) =>
        message is IPalmControlMessage ? ControlPrefix + control.Manifest(message) : data.Manifest(message);

    public ArraySegment<byte> ToBinary(object message, Func<int, byte[]> allocate)
    {
        if (message is not IPalmControlMessage) return data.ToBinary(message, allocate);
        // Control messages are small: written once, then copied into the array the session keeps until confirmed.
        var bytes = control.ToBinary(message);
        var body = allocate(bytes.Length);
        bytes.CopyTo(body, 0);
        return new ArraySegment<byte>(body, 0, bytes.Length);
    }

    public object FromBinary(byte[] bytes, string manifest) =>
        manifest.StartsWith(ControlPrefix, StringComparison.Ordinal)
            ? control.FromBinary(bytes, manifest[ControlPrefix.Length..])
            : data.FromBinary(bytes, manifest);
}
