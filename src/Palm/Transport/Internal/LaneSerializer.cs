using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Serialization;
using Palm.Messages.Internal;

namespace Palm.Transport.Internal;

/// <summary>
/// Serializes the lane's own messages between systems (<see cref="LaneEndpointRequest"/>,
/// <see cref="LaneEndpoint"/>, <see cref="LaneEnvelopes"/>, <see cref="LaneConfirmed"/>) in Palm's wire
/// format; bound to them in <c>hocon/reference.conf</c>. An unknown manifest or malformed bytes are a
/// <see cref="SerializationException"/>; it builds no other type.
/// </summary>
internal sealed class LaneSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    public const int Id = 7302;
    private const string EndpointRequestManifest = "Q";
    private const string EndpointManifest = "E";
    private const string EnvelopesManifest = "B";
    private const string ConfirmedManifest = "A";

    /// <summary>The types this serializer is bound to.</summary>
    public static readonly Type[] Types = [typeof(LaneEndpointRequest), typeof(LaneEndpoint), typeof(LaneEnvelopes), typeof(LaneConfirmed)];

    public override int Identifier => Id;

    public override string Manifest(object o) => o switch
    {
        LaneEndpointRequest => EndpointRequestManifest,
        LaneEndpoint => EndpointManifest,
        LaneEnvelopes => EnvelopesManifest,
        LaneConfirmed => ConfirmedManifest,
        _ => throw new ArgumentException($"LaneSerializer cannot serialize {o.GetType()}."),
    };

    public override byte[] ToBinary(object obj)
    {
        switch (obj)
        {
            case LaneEndpointRequest:
                return [];
            case LaneEndpoint e:
            {
                var w = new WireWriter(new byte[WireWriter.SizeOf(e.Host) + 4 + 16]);
                w.String(e.Host);
                w.Int(e.Port);
                w.Guid(e.Secret);
                return w.Buffer;
            }
            case LaneEnvelopes b:
            {
                var size = 16 + 8 + 4L;
                foreach (var e in b.Envelopes)
                    size += 8 + WireWriter.SizeOf(e.Manifest) + WireWriter.SizeOf(e.Target) + WireWriter.SizeOf(e.Sender) + WireWriter.SizeOf(e.Body);
                var w = new WireWriter(new byte[size]);
                w.Guid(b.Session);
                w.Long(b.Confirmed);
                w.Int(b.Envelopes.Count);
                foreach (var e in b.Envelopes)
                {
                    w.Long(e.Seq);
                    w.String(e.Manifest);
                    w.String(e.Target);
                    w.String(e.Sender);
                    w.Bytes(e.Body);
                }
                return w.Buffer;
            }
            case LaneConfirmed c:
            {
                var w = new WireWriter(new byte[16 + 8]);
                w.Guid(c.Session);
                w.Long(c.UpTo);
                return w.Buffer;
            }
            default:
                throw new ArgumentException($"LaneSerializer cannot serialize {obj.GetType()}.");
        }
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        try
        {
            var r = new WireReader(bytes);
            object result = manifest switch
            {
                EndpointRequestManifest => LaneEndpointRequest.Instance,
                EndpointManifest => new LaneEndpoint(r.RequiredString(), r.Int(), r.Guid()),
                EnvelopesManifest => ReadEnvelopes(ref r),
                ConfirmedManifest => new LaneConfirmed(r.Guid(), r.Long()),
                _ => throw new SerializationException($"Unknown Palm lane message manifest '{manifest}'."),
            };
            r.End();
            return result;
        }
        catch (Exception e) when (e is not SerializationException)
        {
            throw new SerializationException($"Palm lane message (manifest '{manifest}') is corrupt: {e.Message}", e);
        }
    }

    private static LaneEnvelopes ReadEnvelopes(ref WireReader r)
    {
        var session = r.Guid();
        var confirmed = r.Long();
        // Each envelope takes at least a sequence number and four lengths.
        var envelopes = new LaneEnvelope[r.Count(8 + 4 * 4)];
        for (var i = 0; i < envelopes.Length; i++)
            envelopes[i] = new LaneEnvelope(r.Long(), r.RequiredString(), r.RequiredString(), r.String(), r.Bytes().ToArray());
        return new LaneEnvelopes(session, confirmed, envelopes);
    }

    /// <summary>Registers the serializer with <paramref name="system"/>, for systems built without Palm's HOCON.</summary>
    public static void Register(ExtendedActorSystem system)
    {
        var serializer = new LaneSerializer(system);
        system.Serialization.AddSerializer("palm-lane", serializer);
        foreach (var type in Types) system.Serialization.AddSerializationMap(type, serializer);
    }
}
