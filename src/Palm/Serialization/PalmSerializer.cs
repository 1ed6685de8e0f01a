using System.Collections.Concurrent;
using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Serialization;
using Palm.Messages;
using Palm.Messages.Internal;
using Palm.Templates.Parallel;
using Palm.Transport;

namespace Palm.Serialization;

/// <summary>
/// Compact binary serializer for the messages on Palm's data path: a batch writes each job header once, and payload bytes
/// are copied once on the way out and read back as slices (docs/internals.md#palmserializer).
/// </summary>
internal sealed class PalmSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system), IEnvelopeSerializer
{
    public const int Id = 7301;
    private const string DeliverManifest = "D";
    private const string ResultsManifest = "R";
    private const string WorkManifest = "W";
    private const string WorkResultsManifest = "V";
    private const int MaxCachedRefs = 10_000;

    /// <summary>Put before a control message's manifest in a lane session, so the two sets of manifests never meet.</summary>
    public const string ControlPrefix = "+";

    private readonly ConcurrentDictionary<string, IActorRef> _refs = new();
    private PalmControlSerializer? _control;

    public override int Identifier => Id;

    public override string Manifest(object o) => o switch
    {
        Deliver => DeliverManifest,
        ResultBatch => ResultsManifest,
        WorkBatch => WorkManifest,
        WorkResults => WorkResultsManifest,
        _ => throw new ArgumentException($"PalmSerializer cannot serialize {o.GetType()}."),
    };

    public override byte[] ToBinary(object obj) => ToBinary(obj, NewArray).Array!;

    private static readonly Func<int, byte[]> NewArray = static size => new byte[size];

    /// <summary>
    /// Serializes <paramref name="obj"/> into an array <paramref name="allocate"/> gives for the exact
    /// size (it may be longer, e.g. pooled): the returned segment holds the same bytes
    /// <see cref="ToBinary(object)"/> would return, with nothing copied twice.
    /// </summary>
    public ArraySegment<byte> ToBinary(object obj, Func<int, byte[]> allocate) => obj switch
    {
        Deliver d => WriteMessages(d.Messages, m => m, 0, static (ref WireWriter _, PipelineMessage _) => { }, allocate),
        WorkBatch w => WriteMessages(w.Items, i => i.Message, 8, static (ref WireWriter wr, WorkItem i) => wr.Long(i.Id), allocate),
        ResultBatch r => WriteResults(r, allocate),
        WorkResults v => WriteWorkResults(v, allocate),
        _ => throw new ArgumentException($"PalmSerializer cannot serialize {obj.GetType()}."),
    };

    // As an IEnvelopeSerializer, what lane sessions write every envelope with: data messages as above, control messages
    // as PalmControlSerializer writes them, behind ControlPrefix (docs/internals.md#envelopes-in-lane-sessions).
    private PalmControlSerializer Control => _control ??= new PalmControlSerializer(system);

    string IEnvelopeSerializer.Manifest(object message) =>
        message is IPalmControlMessage ? ControlPrefix + Control.Manifest(message) : Manifest(message);

    ArraySegment<byte> IEnvelopeSerializer.ToBinary(object message, Func<int, byte[]> allocate)
    {
        if (message is not IPalmControlMessage) return ToBinary(message, allocate);
        // Control messages are small: written once, then copied into the array the session keeps until confirmed.
        var bytes = Control.ToBinary(message);
        var body = allocate(bytes.Length);
        bytes.CopyTo(body, 0);
        return new ArraySegment<byte>(body, 0, bytes.Length);
    }

    object IEnvelopeSerializer.FromBinary(byte[] bytes, string manifest) =>
        manifest.StartsWith(ControlPrefix, StringComparison.Ordinal)
            ? Control.FromBinary(bytes, manifest[ControlPrefix.Length..])
            : FromBinary(bytes, manifest);

    public override object FromBinary(byte[] bytes, string manifest)
    {
        try
        {
            var r = new WireReader(bytes);
            object result = manifest switch
            {
                DeliverManifest => new Deliver(ReadMessages(ref r, withIds: false, static (_, m) => m)),
                WorkManifest => new WorkBatch(ReadMessages(ref r, withIds: true, static (id, m) => new WorkItem(id, m))),
                ResultsManifest => ReadResults(ref r),
                WorkResultsManifest => ReadWorkResults(ref r),
                _ => throw new SerializationException($"Unknown Palm manifest '{manifest}'."),
            };
            r.End();
            return result;
        }
        catch (Exception e) when (e is not SerializationException)
        {
            // Whatever the bytes were, the node reports one clean kind of failure and carries on.
            throw new SerializationException($"Palm message (manifest '{manifest}') is corrupt: {e.Message}", e);
        }
    }

    private delegate void Extra<in T>(ref WireWriter w, T item);

    private ArraySegment<byte> WriteMessages<T>(IReadOnlyList<T> items, Func<T, PipelineMessage> message, int extraSize, Extra<T> extra, Func<int, byte[]> allocate)
    {
        var headers = new List<JobHeader>(1);
        var headerIndex = new int[items.Count];
        var size = 8;
        for (var i = 0; i < items.Count; i++)
        {
            var m = message(items[i]);
            var h = IndexOf(headers, m.Job);
            if (h < 0)
            {
                h = headers.Count;
                headers.Add(m.Job);
                size += HeaderSize(m.Job);
            }
            headerIndex[i] = h;
            size += 4 + 4 + 8 + 16 + extraSize + WireWriter.SizeOf(m.Payload);
        }

        var w = new WireWriter(allocate(size));
        w.Int(headers.Count);
        foreach (var h in headers) WriteHeader(ref w, h);
        w.Int(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            var m = message(items[i]);
            extra(ref w, items[i]);
            w.Int(headerIndex[i]);
            w.Int(m.Stage);
            w.Long(m.InputId);
            w.UInt128(m.Weight);
            w.Bytes(m.Payload);
        }
        return w.Written;
    }

    private static int IndexOf(List<JobHeader> headers, JobHeader h)
    {
        for (var i = 0; i < headers.Count; i++)
            if (ReferenceEquals(headers[i], h)) return i;
        return -1;
    }

    private int HeaderSize(JobHeader h)
    {
        h.ClientPath ??= Akka.Serialization.Serialization.SerializedActorPath(h.Client);
        var size = 16 + WireWriter.SizeOf(h.ClientPath) + 4 + WireWriter.SizeOf(h.Session) + WireWriter.SizeOf(h.CacheKey);
        foreach (var s in h.Route) size += WireWriter.SizeOf(s.Server) + WireWriter.SizeOf(s.Function);
        size += 1;
        if (h.Shape is { } shape)
        {
            size += 1 + 4 + 4 + 4;
            foreach (var b in shape.Branches) size += WireWriter.SizeOf(b.Name) + 4;
        }
        return size;
    }

    private static void WriteHeader(ref WireWriter w, JobHeader h)
    {
        w.Guid(h.JobId);
        w.String(h.ClientPath);
        w.Int(h.Route.Length);
        foreach (var s in h.Route)
        {
            w.String(s.Server);
            w.String(s.Function);
        }
        w.String(h.Session);
        w.String(h.CacheKey);
        if (h.Shape is not { } shape)
        {
            w.Byte(0);
            return;
        }
        w.Byte(1);
        w.Byte((byte)(h.Branch + 1));
        w.Int(shape.Fork);
        w.Int(shape.Join);
        w.Int(shape.Branches.Count);
        foreach (var b in shape.Branches)
        {
            w.String(b.Name);
            w.Int(b.End);
        }
    }

    private static RouteShape? ReadShape(ref WireReader r, int routeLength, out int branch)
    {
        branch = -1;
        var flag = r.Byte();
        if (flag == 0) return null;
        if (flag != 1) throw new SerializationException($"Palm message is corrupt: shape flag {flag}.");
        branch = r.Byte() - 1;
        var fork = r.Int();
        var join = r.Int();
        var branches = new RouteBranch[r.Count(8)];
        var start = fork + 1;
        for (var i = 0; i < branches.Length; i++)
        {
            branches[i] = new RouteBranch(r.RequiredString(), start, r.Int());
            start = branches[i].End;
        }
        try
        {
            var shape = new RouteShape(fork, branches, join, routeLength);
            if (branch >= branches.Length) throw new ArgumentException($"branch {branch} of {branches.Length}.");
            return shape;
        }
        catch (ArgumentException e)
        {
            throw new SerializationException($"Palm message is corrupt: {e.Message}");
        }
    }

    private JobHeader ReadHeader(ref WireReader r)
    {
        var jobId = r.Guid();
        var clientPath = r.RequiredString();
        var route = new Step[r.Count(8)];
        for (var i = 0; i < route.Length; i++) route[i] = new Step(r.RequiredString(), r.RequiredString());
        var session = r.String();
        var cacheKey = r.String();
        var shape = ReadShape(ref r, route.Length, out var branch);
        return new JobHeader(jobId, ResolveClient(clientPath), route, session, cacheKey, shape, branch) { ClientPath = clientPath };
    }

    private IActorRef ResolveClient(string path)
    {
        if (_refs.TryGetValue(path, out var actor)) return actor;
        actor = system.Provider.ResolveActorRef(path);
        // Clients come and go: keep the cache bounded rather than remembering every client forever.
        if (_refs.Count >= MaxCachedRefs) _refs.Clear();
        _refs[path] = actor;
        return actor;
    }

    /// <summary>Reads what <see cref="WriteMessages{T}"/> wrote; <paramref name="withIds"/>: each message has its work item's id.</summary>
    private T[] ReadMessages<T>(ref WireReader r, bool withIds, Func<long, PipelineMessage, T> item)
    {
        var headers = new JobHeader[r.Count(16)];
        for (var i = 0; i < headers.Length; i++) headers[i] = ReadHeader(ref r);
        var items = new T[r.Count(36)];
        for (var i = 0; i < items.Length; i++)
        {
            var id = withIds ? r.Long() : 0;
            var h = r.Int();
            if ((uint)h >= (uint)headers.Length)
                throw new SerializationException($"Palm message is corrupt: header index {h} of {headers.Length}.");
            var stage = r.Int();
            if ((uint)stage >= (uint)headers[h].Route.Length)
                throw new SerializationException($"Palm message is corrupt: stage {stage} outside a route of {headers[h].Route.Length} steps.");
            items[i] = item(id, new PipelineMessage(headers[h], stage, r.Long(), r.UInt128(), r.Bytes()));
        }
        return items;
    }

    private static ArraySegment<byte> WriteResults(ResultBatch b, Func<int, byte[]> allocate)
    {
        var size = 16 + 4;
        foreach (var item in b.Items)
        {
            size += 8 + 16 + 1 + (item.Kind switch
            {
                ResultKind.Payload => 1 + WireWriter.SizeOf(item.Payload),
                ResultKind.Absorbed or ResultKind.Emitted => WireWriter.SizeOf(item.Payload),
                ResultKind.Error => 1 + ErrorSize(item.Error!),
                _ => 0,
            });
        }
        var w = new WireWriter(allocate(size));
        w.Guid(b.JobId);
        w.Int(b.Items.Count);
        foreach (var item in b.Items)
        {
            w.Long(item.InputId);
            w.UInt128(item.Weight);
            w.Byte((byte)item.Kind);
            // A payload or an error says which branch it left from: 0 for none, else the branch's index + 1.
            if (item.Kind is ResultKind.Payload or ResultKind.Error) w.Byte((byte)(item.Branch + 1));
            if (item.Kind is ResultKind.Payload or ResultKind.Absorbed or ResultKind.Emitted) w.Bytes(item.Payload);
            else if (item.Kind == ResultKind.Error) WriteError(ref w, item.Error!);
        }
        return w.Written;
    }

    private static ResultBatch ReadResults(ref WireReader r)
    {
        var jobId = r.Guid();
        var items = new ResultItem[r.Count(25)];
        for (var i = 0; i < items.Length; i++)
        {
            var inputId = r.Long();
            var weight = r.UInt128();
            var kind = (ResultKind)r.Byte();
            var branch = kind is ResultKind.Payload or ResultKind.Error ? ReadBranch(ref r) : -1;
            items[i] = kind switch
            {
                ResultKind.Payload => new ResultItem(inputId, weight, kind, r.Bytes(), null) { Branch = branch },
                ResultKind.Absorbed or ResultKind.Emitted => new ResultItem(inputId, weight, kind, r.Bytes(), null),
                ResultKind.Error => new ResultItem(inputId, weight, kind, default, ReadError(ref r)) { Branch = branch },
                ResultKind.Done => new ResultItem(inputId, weight, kind, default, null),
                _ => throw new SerializationException($"Palm message is corrupt: result kind {(byte)kind}."),
            };
        }
        return new ResultBatch(jobId, items);
    }

    private static int ReadBranch(ref WireReader r)
    {
        var tag = r.Byte();
        if (tag > RouteShape.MaxBranches) throw new SerializationException($"Palm message is corrupt: branch tag {tag}.");
        return tag - 1;
    }

    private static ArraySegment<byte> WriteWorkResults(WorkResults v, Func<int, byte[]> allocate)
    {
        var size = 1 + 4;
        foreach (var res in v.Results)
        {
            size += 8 + 1 + (res.Error is null ? 4 : ErrorSize(res.Error));
            foreach (var o in res.Outputs) size += WireWriter.SizeOf(o);
        }
        var w = new WireWriter(allocate(size));
        w.Byte(v.Starved ? (byte)1 : (byte)0);
        w.Int(v.Results.Count);
        foreach (var res in v.Results)
        {
            w.Long(res.Id);
            w.Byte(res.Error is null ? (byte)0 : (byte)1);
            if (res.Error is not null) WriteError(ref w, res.Error);
            else
            {
                w.Int(res.Outputs.Count);
                foreach (var o in res.Outputs) w.Bytes(o);
            }
        }
        return w.Written;
    }

    private static WorkResults ReadWorkResults(ref WireReader r)
    {
        var starved = r.Byte();
        if (starved > 1) throw new SerializationException($"Palm message is corrupt: starved flag {starved}.");
        var results = new WorkResult[r.Count(9)];
        for (var i = 0; i < results.Length; i++)
        {
            var id = r.Long();
            var hasError = r.Byte();
            if (hasError > 1) throw new SerializationException($"Palm message is corrupt: error flag {hasError}.");
            if (hasError == 1)
            {
                results[i] = new WorkResult(id, [], ReadError(ref r));
                continue;
            }
            var outputs = new ReadOnlyMemory<byte>[r.Count(4)];
            for (var j = 0; j < outputs.Length; j++) outputs[j] = r.Bytes();
            results[i] = new WorkResult(id, outputs, null);
        }
        return new WorkResults(results, starved == 1);
    }

    private static int ErrorSize(PalmError e) =>
        1 + WireWriter.SizeOf(e.Server) + WireWriter.SizeOf(e.Function) + 4 + WireWriter.SizeOf(e.ExceptionType) + WireWriter.SizeOf(e.Message);

    private static void WriteError(ref WireWriter w, PalmError e)
    {
        w.Byte((byte)e.Kind);
        w.String(e.Server);
        w.String(e.Function);
        w.Int(e.Stage);
        w.String(e.ExceptionType);
        w.String(e.Message);
    }

    private static PalmError ReadError(ref WireReader r)
    {
        var kind = r.Byte();
        if (!Enum.IsDefined(typeof(PalmErrorKind), (int)kind))
            throw new SerializationException($"Palm message is corrupt: error kind {kind}.");
        return new PalmError((PalmErrorKind)kind, r.RequiredString(), r.RequiredString(), r.Int(), r.String(), r.RequiredString());
    }
}
