using Akka.Serialization;
using BenchmarkDotNet.Attributes;
using Palm.Messages;
using Palm.Serialization;
using Palm.Transport.Internal;

namespace Palm.Bench.Micro;

/// <summary>Palm's binary serializer on the batches of the data path: a full 500-message batch, a lone message, large payloads, results.</summary>
public class SerializerBenchmarks
{
    private MicroFixture _fixture = null!;
    private SerializerWithStringManifest _serializer = null!;
    private Deliver _batch = null!, _single = null!, _large = null!;
    private ResultBatch _results = null!;
    private byte[] _batchBytes = null!, _singleBytes = null!, _largeBytes = null!, _resultBytes = null!;

    /// <summary>Builds the messages and their serialized forms.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _fixture = new MicroFixture();
        _serializer = (SerializerWithStringManifest)_fixture.System.Serialization.FindSerializerFor(new Deliver([]));
        var header = _fixture.Header();
        _batch = new Deliver(MicroFixture.Messages(header, 500, 100));
        _single = new Deliver(MicroFixture.Messages(header, 1, 100));
        _large = new Deliver(MicroFixture.Messages(header, 4, 64 * 1024));
        _results = new ResultBatch(header.JobId, _batch.Messages.Select(m => new ResultItem(m.InputId, m.Weight, ResultKind.Payload, m.Payload, null)).ToArray());
        _batchBytes = _serializer.ToBinary(_batch);
        _singleBytes = _serializer.ToBinary(_single);
        _largeBytes = _serializer.ToBinary(_large);
        _resultBytes = _serializer.ToBinary(_results);
    }

    /// <summary>Stops the actor system.</summary>
    [GlobalCleanup]
    public void Cleanup() => _fixture.Dispose();

    /// <summary>500 messages of 100 B, one job header.</summary>
    [Benchmark(OperationsPerInvoke = 500)]
    public byte[] WriteDeliver500x100B() => _serializer.ToBinary(_batch);

    /// <summary>Reading them back (payloads are slices of the buffer).</summary>
    [Benchmark(OperationsPerInvoke = 500)]
    public object ReadDeliver500x100B() => _serializer.FromBinary(_batchBytes, "D");

    /// <summary>A lone message: the header dominates.</summary>
    [Benchmark]
    public byte[] WriteDeliver1x100B() => _serializer.ToBinary(_single);

    /// <summary>Reading a lone message.</summary>
    [Benchmark]
    public object ReadDeliver1x100B() => _serializer.FromBinary(_singleBytes, "D");

    /// <summary>Four 64 KiB payloads: one copy each.</summary>
    [Benchmark(OperationsPerInvoke = 4)]
    public byte[] WriteDeliver4x64KiB() => _serializer.ToBinary(_large);

    /// <summary>The same as a data lane writes it: straight into a pooled frame body, one copy each.</summary>
    [Benchmark(OperationsPerInvoke = 4)]
    public int WriteDeliver4x64KiBPooled()
    {
        var body = ((Palm.Serialization.PalmSerializer)_serializer).ToBinary(_large, _pool.Rent);
        _pool.Return(body.Array!);
        return body.Count;
    }

    private readonly Palm.Transport.Internal.FrameBodyPool _pool = new(8 * 1024 * 1024);

    /// <summary>Reading them: no copy.</summary>
    [Benchmark(OperationsPerInvoke = 4)]
    public object ReadDeliver4x64KiB() => _serializer.FromBinary(_largeBytes, "D");

    /// <summary>500 results of 100 B.</summary>
    [Benchmark(OperationsPerInvoke = 500)]
    public byte[] WriteResults500x100B() => _serializer.ToBinary(_results);

    /// <summary>Reading 500 results.</summary>
    [Benchmark(OperationsPerInvoke = 500)]
    public object ReadResults500x100B() => _serializer.FromBinary(_resultBytes, "R");
}
