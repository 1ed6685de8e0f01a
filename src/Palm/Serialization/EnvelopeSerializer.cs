using Palm.Messages;
using Palm.Transport;

namespace Palm.Serialization;

/// <summary>
/// What lane sessions write their envelopes with: data messages as <see cref="PalmSerializer"/> writes them, control
/// messages as <see cref="PalmControlSerializer"/> does, behind <see cref="ControlPrefix"/>, so the two sets of manifests
/// never meet (docs/internals.md#envelopeserializer).
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
