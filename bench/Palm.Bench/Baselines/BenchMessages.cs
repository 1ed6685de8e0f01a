using System.Buffers.Binary;
using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Serialization;

namespace Palm.Bench.Baselines;

/// <summary>The plain-Akka baselines' data message: a sequence number and a payload.</summary>
public sealed record BenchMessage(long Seq, byte[] Payload);

/// <summary>Cumulative acknowledgement: the receiver has received <see cref="Count"/> messages.</summary>
public sealed record BenchAck(long Count);

/// <summary>
/// A hand-written <see cref="SerializerWithStringManifest"/> for the baselines, as a careful Akka.NET
/// user would write one: fixed little-endian header, payload copied once each way.
/// </summary>
public sealed class BenchSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    private const string MessageManifest = "M";
    private const string AckManifest = "A";

    /// <inheritdoc />
    public override int Identifier => 9901;

    /// <inheritdoc />
    public override string Manifest(object o) => o switch
    {
        BenchMessage => MessageManifest,
        BenchAck => AckManifest,
        _ => throw new ArgumentException($"BenchSerializer cannot serialize {o.GetType()}."),
    };

    /// <inheritdoc />
    public override byte[] ToBinary(object obj)
    {
        switch (obj)
        {
            case BenchMessage m:
                var bytes = new byte[8 + m.Payload.Length];
                BinaryPrimitives.WriteInt64LittleEndian(bytes, m.Seq);
                m.Payload.CopyTo(bytes.AsSpan(8));
                return bytes;
            case BenchAck a:
                var ack = new byte[8];
                BinaryPrimitives.WriteInt64LittleEndian(ack, a.Count);
                return ack;
            default:
                throw new ArgumentException($"BenchSerializer cannot serialize {obj.GetType()}.");
        }
    }

    /// <inheritdoc />
    public override object FromBinary(byte[] bytes, string manifest)
    {
        if (bytes.Length < 8) throw new SerializationException("Bench message is truncated.");
        var seq = BinaryPrimitives.ReadInt64LittleEndian(bytes);
        return manifest switch
        {
            MessageManifest => new BenchMessage(seq, bytes.AsSpan(8).ToArray()),
            AckManifest => new BenchAck(seq),
            _ => throw new SerializationException($"Unknown bench manifest '{manifest}'."),
        };
    }
}
