using System.Buffers.Binary;
using Akka.Actor;
using Palm.Messages.Internal;

namespace Palm.Transport.Internal;

/// <summary>
/// The lane's wire format: a handshake that says which system speaks, then frames of prefix, header and body, answered with
/// cumulative acknowledgements (docs/internals.md#laneframe).
/// </summary>
internal static class LaneFrame
{
    /// <summary>"PLN1": the first bytes of every lane connection, so a stray connection is refused at once.</summary>
    public const int Magic = 0x314E4C50;

    /// <summary>Magic, lane id, secret.</summary>
    public const int HandshakeBytes = 4 + 16 + 16;

    public const int PrefixBytes = 8;
    public const int MaxHeaderBytes = 64 * 1024;

    /// <summary>Manifest of a frame with nothing to deliver: it only fills its place in the sequence.</summary>
    public const string SkipManifest = "-";

    /// <summary>The handshake naming session <paramref name="lane"/>, presenting <paramref name="secret"/>.</summary>
    public static byte[] Handshake(Guid lane, Guid secret)
    {
        var bytes = new byte[HandshakeBytes];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, Magic);
        lane.TryWriteBytes(bytes.AsSpan(4));
        secret.TryWriteBytes(bytes.AsSpan(20));
        return bytes;
    }

    /// <summary>Reads a handshake written by <see cref="Handshake"/>; false when it does not start with <see cref="Magic"/>.</summary>
    public static bool TryReadHandshake(ReadOnlySpan<byte> hello, out Guid lane, out Guid secret)
    {
        lane = secret = Guid.Empty;
        if (hello.Length != HandshakeBytes || BinaryPrimitives.ReadInt32LittleEndian(hello) != Magic) return false;
        lane = new Guid(hello.Slice(4, 16));
        secret = new Guid(hello.Slice(20, 16));
        return true;
    }

    /// <summary>The prefix and header of a frame, in one array.</summary>
    public static byte[] Header(long seq, string manifest, string target, string? sender, int bodyLength)
    {
        var headerLength = HeaderBytes(manifest, target, sender);
        var w = new WireWriter(new byte[PrefixBytes + headerLength]);
        w.Int(headerLength);
        w.Int(bodyLength);
        w.Long(seq);
        w.String(manifest);
        w.String(target);
        w.String(sender);
        return w.Buffer;
    }

    /// <summary>Length of a frame's header (without its prefix).</summary>
    public static int HeaderBytes(string manifest, string target, string? sender) =>
        8 + WireWriter.SizeOf(manifest) + WireWriter.SizeOf(target) + WireWriter.SizeOf(sender);

    /// <summary>Reads a header written by <see cref="Header"/> (without its prefix).</summary>
    /// <exception cref="System.Runtime.Serialization.SerializationException">The header is malformed.</exception>
    public static (long Seq, string Manifest, string Target, string? Sender) ReadHeader(byte[] header)
    {
        var r = new WireReader(header);
        var result = (r.Long(), r.RequiredString(), r.RequiredString(), r.String());
        r.End();
        return result;
    }

    /// <summary>The path of <paramref name="actor"/> with its system's address, as the receiver resolves it; null for no sender.</summary>
    public static string? PathOf(IActorRef? actor) =>
        actor is null || actor.IsNobody() ? null : Akka.Serialization.Serialization.SerializedActorPath(actor);
}
