using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Serialization;
using Palm.Cache;
using Palm.Discovery;
using Palm.Messages;
using Palm.Messages.Internal;
using Palm.Serialization.Internal;
using Palm.Servers;
using Palm.Templates.Parallel;
using Palm.Templates.Reduce;

namespace Palm.Serialization;

/// <summary>
/// Serializes Palm's control messages between systems (<see cref="IPalmControlMessage"/>), one explicit manifest per type;
/// it builds only those types and checks every length before it allocates (docs/internals.md#palmcontrolserializer).
/// </summary>
internal sealed class PalmControlSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    public const int Id = 7303;

    // One manifest per type, never reused for another type (peers of another version read them). "ST" was ServerStatus,
    // the status reply before ServerReport: retired, never to be reused.
    private static readonly Dictionary<Type, string> Manifests = new()
    {
        [typeof(NodeServers)] = "NS",
        [typeof(SubscribeDirectory)] = "SD",
        [typeof(UnsubscribeDirectory)] = "UD",
        [typeof(DirectoryUpdate)] = "DU",
        [typeof(GetServerStatus)] = "GS",
        [typeof(GetSubscriberCount)] = "GC",
        [typeof(ServerReport)] = "SR",
        [typeof(GetNodeStatus)] = "GN",
        [typeof(NodeReport)] = "NR",
        [typeof(CacheGet)] = "CG",
        [typeof(CacheSet)] = "CS",
        [typeof(CacheAppend)] = "CA",
        [typeof(CacheDelete)] = "CD",
        [typeof(CacheReply)] = "CR",
        [typeof(WorkerDraining)] = "WD",
        [typeof(WorkerDrained)] = "WE",
        [typeof(StageFlush)] = "RF",
        [typeof(SourceCredit)] = "SC",
        [typeof(ClientHello)] = "CH",
    };

    /// <summary>The types this serializer writes; each carries <see cref="IPalmControlMessage"/>.</summary>
    public static readonly Type[] Types = [.. Manifests.Keys];

    public override int Identifier => Id;

    public override string Manifest(object o) => Manifests.TryGetValue(o.GetType(), out var manifest)
        ? manifest
        : throw new ArgumentException($"PalmControlSerializer cannot serialize {o.GetType()}.");

    public override byte[] ToBinary(object obj) => obj switch
    {
        SubscribeDirectory or UnsubscribeDirectory or GetServerStatus or GetSubscriberCount or WorkerDraining or WorkerDrained or ClientHello
            or GetNodeStatus => [],
        NodeServers n => WriteEntries(n.Entries, n.ReplyWanted),
        DirectoryUpdate d => WriteEntries(d.Entries, null),
        ServerReport s => StatusWire.Write(s),
        NodeReport n => StatusWire.Write(n),
        CacheGet g => WriteStrings(g.Key),
        CacheDelete d => WriteStrings(d.Key),
        CacheSet s => WriteKeyValue(s.Key, s.Value),
        CacheAppend a => WriteKeyValue(a.Key, a.Value),
        CacheReply r => WriteReply(r),
        StageFlush f => WriteFlush(f),
        SourceCredit c => WriteCredit(c),
        _ => throw new ArgumentException($"PalmControlSerializer cannot serialize {obj.GetType()}."),
    };

    public override object FromBinary(byte[] bytes, string manifest)
    {
        try
        {
            var r = new WireReader(bytes);
            object result = manifest switch
            {
                "SD" => SubscribeDirectory.Instance,
                "UD" => UnsubscribeDirectory.Instance,
                "GS" => GetServerStatus.Instance,
                "GC" => GetSubscriberCount.Instance,
                "WD" => WorkerDraining.Instance,
                "WE" => WorkerDrained.Instance,
                "CH" => ClientHello.Instance,
                "GN" => GetNodeStatus.Instance,
                "NS" => new NodeServers(ReadEntries(ref r), Flag(ref r)),
                "DU" => new DirectoryUpdate(ReadEntries(ref r)),
                "SR" => StatusWire.ReadServer(ref r),
                "NR" => StatusWire.ReadNode(ref r),
                "CG" => new CacheGet(r.RequiredString()),
                "CD" => new CacheDelete(r.RequiredString()),
                "CS" => new CacheSet(r.String(), r.Bytes().ToArray()),
                "CA" => new CacheAppend(r.RequiredString(), r.Bytes().ToArray()),
                "CR" => ReadReply(ref r),
                "RF" => new StageFlush(r.Guid(), r.Int()),
                "SC" => new SourceCredit(r.Guid(), r.Int(), r.Long()),
                _ => throw new SerializationException($"Unknown Palm control message manifest '{RefusingSerializer.Quote(manifest)}'."),
            };
            r.End();
            return result;
        }
        catch (Exception e) when (e is not SerializationException)
        {
            // Whatever the bytes were, the node reports one clean kind of failure and carries on.
            throw new SerializationException($"Palm control message (manifest '{RefusingSerializer.Quote(manifest)}') is corrupt: {e.Message}", e);
        }
    }

    private byte[] WriteEntries(ServerEntry[] entries, bool? replyWanted)
    {
        var paths = new (string Server, string Cache)[entries.Length];
        var size = 4 + (replyWanted is null ? 0 : 1);
        for (var i = 0; i < entries.Length; i++)
        {
            var e = entries[i];
            paths[i] = (PathOf(e.Server), PathOf(e.Cache));
            size += WireWriter.SizeOf(e.Name) + WireWriter.SizeOf(e.Template) + 4 + WireWriter.SizeOf(paths[i].Server)
                + WireWriter.SizeOf(paths[i].Cache) + 4 + WireWriter.SizeOf(e.Node);
            foreach (var f in e.Functions) size += WireWriter.SizeOf(f);
        }
        var w = new WireWriter(new byte[size]);
        w.Int(entries.Length);
        for (var i = 0; i < entries.Length; i++)
        {
            var e = entries[i];
            w.String(e.Name);
            w.String(e.Template);
            w.Int((int)e.Role);
            w.String(paths[i].Server);
            w.String(paths[i].Cache);
            w.Int(e.Functions.Length);
            foreach (var f in e.Functions) w.String(f);
            w.String(e.Node);
        }
        if (replyWanted is { } reply) w.Byte(reply ? (byte)1 : (byte)0);
        return w.Buffer;
    }

    private ServerEntry[] ReadEntries(ref WireReader r)
    {
        // Each entry takes at least seven lengths or numbers.
        var entries = new ServerEntry[r.Count(7 * 4)];
        for (var i = 0; i < entries.Length; i++)
        {
            var name = r.RequiredString();
            var template = r.RequiredString();
            var role = r.Int();
            if (!Enum.IsDefined(typeof(ServerRole), role))
                throw new SerializationException($"Palm control message is corrupt: server role {role}.");
            var server = Resolve(r.RequiredString());
            var cache = Resolve(r.RequiredString());
            var functions = new string[r.Count(4)];
            for (var j = 0; j < functions.Length; j++) functions[j] = r.RequiredString();
            entries[i] = new ServerEntry(name, template, (ServerRole)role, server, cache, functions, r.RequiredString());
        }
        return entries;
    }

    // Nobody (a worker's cache) travels as an empty path: resolving Nobody's own path would give another actor.
    private static string PathOf(IActorRef actor) => actor.IsNobody() ? "" : Akka.Serialization.Serialization.SerializedActorPath(actor);

    private IActorRef Resolve(string path) => path.Length == 0 ? ActorRefs.Nobody : system.Provider.ResolveActorRef(path);

    private static byte[] WriteFlush(StageFlush f)
    {
        var w = new WireWriter(new byte[16 + 4]);
        w.Guid(f.JobId);
        w.Int(f.Stage);
        return w.Buffer;
    }

    private static byte[] WriteCredit(SourceCredit c)
    {
        var w = new WireWriter(new byte[16 + 4 + 8]);
        w.Guid(c.JobId);
        w.Int(c.Stage);
        w.Long(c.Allowed);
        return w.Buffer;
    }

    private static byte[] WriteStrings(string key)
    {
        var w = new WireWriter(new byte[WireWriter.SizeOf(key)]);
        w.String(key);
        return w.Buffer;
    }

    private static byte[] WriteKeyValue(string? key, byte[] value)
    {
        var w = new WireWriter(new byte[WireWriter.SizeOf(key) + WireWriter.SizeOf(value)]);
        w.String(key);
        w.Bytes(value);
        return w.Buffer;
    }

    private static byte[] WriteReply(CacheReply reply)
    {
        var size = 1 + (reply.Value is null ? 0 : WireWriter.SizeOf(reply.Value)) + WireWriter.SizeOf(reply.Key) + 1
            + WireWriter.SizeOf(reply.Error) + 1;
        var w = new WireWriter(new byte[size]);
        w.Byte(reply.Value is null ? (byte)0 : (byte)1);
        if (reply.Value is not null) w.Bytes(reply.Value);
        w.String(reply.Key);
        w.Byte(reply.Existed ? (byte)1 : (byte)0);
        w.String(reply.Error);
        w.Byte(reply.Full ? (byte)1 : (byte)0);
        return w.Buffer;
    }

    private static CacheReply ReadReply(ref WireReader r)
    {
        var value = Flag(ref r) ? r.Bytes().ToArray() : null;
        return new CacheReply(value, r.String(), Flag(ref r), r.String(), Flag(ref r));
    }

    internal static bool Flag(ref WireReader r) => r.Byte() switch
    {
        0 => false,
        1 => true,
        var b => throw new SerializationException($"Palm control message is corrupt: flag {b}."),
    };
}
