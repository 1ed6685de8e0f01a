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

    // One manifest per type, never reused for another type (peers of another version read them).
    private const string NodeServersManifest = "NS";
    private const string SubscribeManifest = "SD";
    private const string UnsubscribeManifest = "UD";
    private const string DirectoryUpdateManifest = "DU";
    private const string GetStatusManifest = "GS";
    private const string GetSubscriberCountManifest = "GC";
    // "ST" was ServerStatus, the status reply before ServerReport: retired, never to be reused.
    private const string CacheGetManifest = "CG";
    private const string CacheSetManifest = "CS";
    private const string CacheAppendManifest = "CA";
    private const string CacheDeleteManifest = "CD";
    private const string CacheReplyManifest = "CR";
    private const string WorkerDrainingManifest = "WD";
    private const string WorkerDrainedManifest = "WE";
    private const string StageFlushManifest = "RF";
    private const string SourceCreditManifest = "SC";
    private const string ClientHelloManifest = "CH";
    private const string ServerReportManifest = "SR";
    private const string GetNodeStatusManifest = "GN";
    private const string NodeReportManifest = "NR";

    /// <summary>The types this serializer writes; each carries <see cref="IPalmControlMessage"/>.</summary>
    public static readonly Type[] Types =
    [
        typeof(NodeServers), typeof(SubscribeDirectory), typeof(UnsubscribeDirectory), typeof(DirectoryUpdate),
        typeof(GetServerStatus), typeof(GetSubscriberCount), typeof(ServerReport), typeof(GetNodeStatus), typeof(NodeReport),
        typeof(CacheGet), typeof(CacheSet), typeof(CacheAppend), typeof(CacheDelete), typeof(CacheReply),
        typeof(WorkerDraining), typeof(WorkerDrained), typeof(StageFlush), typeof(SourceCredit), typeof(ClientHello),
    ];

    public override int Identifier => Id;

    public override string Manifest(object o) => o switch
    {
        NodeServers => NodeServersManifest,
        SubscribeDirectory => SubscribeManifest,
        UnsubscribeDirectory => UnsubscribeManifest,
        DirectoryUpdate => DirectoryUpdateManifest,
        GetServerStatus => GetStatusManifest,
        GetSubscriberCount => GetSubscriberCountManifest,
        ServerReport => ServerReportManifest,
        GetNodeStatus => GetNodeStatusManifest,
        NodeReport => NodeReportManifest,
        CacheGet => CacheGetManifest,
        CacheSet => CacheSetManifest,
        CacheAppend => CacheAppendManifest,
        CacheDelete => CacheDeleteManifest,
        CacheReply => CacheReplyManifest,
        WorkerDraining => WorkerDrainingManifest,
        WorkerDrained => WorkerDrainedManifest,
        StageFlush => StageFlushManifest,
        SourceCredit => SourceCreditManifest,
        ClientHello => ClientHelloManifest,
        _ => throw new ArgumentException($"PalmControlSerializer cannot serialize {o.GetType()}."),
    };

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
                SubscribeManifest => SubscribeDirectory.Instance,
                UnsubscribeManifest => UnsubscribeDirectory.Instance,
                GetStatusManifest => GetServerStatus.Instance,
                GetSubscriberCountManifest => GetSubscriberCount.Instance,
                WorkerDrainingManifest => WorkerDraining.Instance,
                WorkerDrainedManifest => WorkerDrained.Instance,
                ClientHelloManifest => ClientHello.Instance,
                GetNodeStatusManifest => GetNodeStatus.Instance,
                NodeServersManifest => new NodeServers(ReadEntries(ref r), Flag(ref r)),
                DirectoryUpdateManifest => new DirectoryUpdate(ReadEntries(ref r)),
                ServerReportManifest => StatusWire.ReadServer(ref r),
                NodeReportManifest => StatusWire.ReadNode(ref r),
                CacheGetManifest => new CacheGet(r.RequiredString()),
                CacheDeleteManifest => new CacheDelete(r.RequiredString()),
                CacheSetManifest => new CacheSet(r.String(), r.Bytes().ToArray()),
                CacheAppendManifest => new CacheAppend(r.RequiredString(), r.Bytes().ToArray()),
                CacheReplyManifest => ReadReply(ref r),
                StageFlushManifest => new StageFlush(r.Guid(), r.Int()),
                SourceCreditManifest => new SourceCredit(r.Guid(), r.Int(), r.Long()),
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
