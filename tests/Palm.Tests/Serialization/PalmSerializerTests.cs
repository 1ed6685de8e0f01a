using System.Runtime.Serialization;
using Akka.Actor;
using Palm.Messages;
using Palm.Serialization;
using Palm.Templates.Parallel;
using Palm.Templates.Reduce;
using Palm.Transport;
using Xunit;

namespace Palm.Tests.Serialization;

public sealed class PalmSerializerTests : Akka.TestKit.Xunit2.TestKit
{
    private readonly PalmSerializer _serializer;
    private readonly JobHeader _job;

    public PalmSerializerTests()
    {
        _serializer = new PalmSerializer((ExtendedActorSystem)Sys);
        _job = new JobHeader(Guid.NewGuid(), TestActor, [new Step("a", "parse"), new Step("b", "price")], "session-é", null);
    }

    private T RoundTrip<T>(T message) where T : notnull =>
        (T)_serializer.FromBinary(_serializer.ToBinary(message), _serializer.Manifest(message));

    [Fact]
    public void A_batch_round_trips_with_headers_written_once_per_job()
    {
        var other = new JobHeader(Guid.NewGuid(), TestActor, [new Step("c", "x")], null, "key");
        var messages = Enumerable.Range(0, 100)
            .Select(i => new PipelineMessage(i % 2 == 0 ? _job : other, i % 2 == 0 ? 1 : 0, i, Weights.Whole - (UInt128)i, new byte[] { (byte)i, 7 }))
            .ToList();
        var back = RoundTrip(new Deliver(messages)).Messages;

        Assert.Equal(100, back.Count);
        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(messages[i].Job.JobId, back[i].Job.JobId);
            Assert.Equal(messages[i].Job.Route, back[i].Job.Route);
            Assert.Equal(messages[i].Job.Session, back[i].Job.Session);
            Assert.Equal(messages[i].Job.CacheKey, back[i].Job.CacheKey);
            Assert.Equal(TestActor, back[i].Job.Client);
            Assert.Equal((messages[i].Stage, messages[i].InputId, messages[i].Weight), (back[i].Stage, back[i].InputId, back[i].Weight));
            Assert.Equal(messages[i].Payload.ToArray(), back[i].Payload.ToArray());
        }
        // Messages of one job share one header object after the trip, as before it.
        Assert.Same(back[0].Job, back[2].Job);
        Assert.Equal(2, back.Select(m => m.Job).Distinct().Count());
    }

    [Fact]
    public void A_forked_route_keeps_its_shape_and_each_messages_branch_and_results_keep_their_branch_tag()
    {
        Step[] route = [new("src", "gen"), new("a", "f"), new("b", "g"), new("b", "h"), new("sink", "add")];
        var shape = new RouteShape(0, [new RouteBranch("left", 1, 2), new RouteBranch("right", 2, 4)], 4, route.Length);
        var trunk = new JobHeader(Guid.NewGuid(), TestActor, route, null, null, shape);
        var back = RoundTrip(new Deliver(
        [
            new PipelineMessage(trunk, 0, 0, Weights.Whole, new byte[] { 1 }),
            new PipelineMessage(trunk.InBranch(1), 3, 1, 5, new byte[] { 2 }),
            new PipelineMessage(trunk.InBranch(0), 4, 2, 6, new byte[] { 3 }),
        ])).Messages;

        Assert.Equal([-1, 1, 0], back.Select(m => m.Job.Branch));
        Assert.Equal([null, "right", "left"], back.Select(m => m.Job.BranchName));
        var shapeBack = back[1].Job.Shape!;
        Assert.Equal((0, 4), (shapeBack.Fork, shapeBack.Join));
        Assert.Equal(shape.Branches, shapeBack.Branches);
        Assert.Equal(4, shapeBack.Next(3));
        Assert.Equal(4, shapeBack.Next(1));

        var results = RoundTrip(new ResultBatch(trunk.JobId,
        [
            new ResultItem(1, 2, ResultKind.Payload, new byte[] { 9 }, null) { Branch = 1 },
            new ResultItem(2, 3, ResultKind.Error, default, new PalmError(PalmErrorKind.FunctionFailed, "a", "f", 1, null, "no")) { Branch = 0 },
            new ResultItem(3, 4, ResultKind.Payload, new byte[] { 8 }, null),
        ])).Items;
        Assert.Equal([1, 0, -1], results.Select(r => r.Branch));
    }

    [Fact]
    public void Payload_bytes_are_written_once_as_raw_bytes()
    {
        var payload = Enumerable.Range(0, 4096).Select(i => (byte)i).ToArray();
        var bytes = _serializer.ToBinary(new Deliver([new PipelineMessage(_job, 0, 0, Weights.Whole, payload)]));
        Assert.True(bytes.Length < payload.Length + 200, $"{bytes.Length} bytes for a {payload.Length}-byte payload");
        Assert.True(bytes.AsSpan().IndexOf(payload) > 0);
    }

    [Fact]
    public void Results_round_trip_payloads_errors_and_completions()
    {
        var error = new PalmError(PalmErrorKind.FunctionFailed, "b", "price", 1, "System.FormatException", "bad");
        var batch = new ResultBatch(Guid.NewGuid(),
        [
            new ResultItem(1, 5, ResultKind.Payload, new byte[] { 1, 2, 3 }, null),
            new ResultItem(2, Weights.Whole, ResultKind.Error, default, error),
            new ResultItem(3, 9, ResultKind.Done, default, null),
        ]);
        var back = RoundTrip(batch);
        Assert.Equal(batch.JobId, back.JobId);
        Assert.Equal([1, 2, 3], back.Items[0].Payload.ToArray());
        Assert.Equal(error, back.Items[1].Error);
        Assert.Equal(Weights.Whole, back.Items[1].Weight);
        Assert.Equal((3L, (UInt128)9, ResultKind.Done), (back.Items[2].InputId, back.Items[2].Weight, back.Items[2].Kind));
    }

    [Fact]
    public void A_reduce_s_absorbed_and_emitted_reports_round_trip_with_their_payloads()
    {
        var batch = new ResultBatch(Guid.NewGuid(),
        [
            new ResultItem(-7, 11, ResultKind.Absorbed, new byte[] { 2, 0, 0, 0 }, null),
            new ResultItem(2, 0, ResultKind.Emitted, new byte[] { 5, 0, 0, 0, 0, 0, 0, 0, 1 }, null),
        ]);
        var back = RoundTrip(batch);
        Assert.Equal((-7L, (UInt128)11, ResultKind.Absorbed), (back.Items[0].InputId, back.Items[0].Weight, back.Items[0].Kind));
        Assert.Equal([2, 0, 0, 0], back.Items[0].Payload.ToArray());
        Assert.Equal((2L, ResultKind.Emitted), (back.Items[1].InputId, back.Items[1].Kind));
        Assert.Equal([5, 0, 0, 0, 0, 0, 0, 0, 1], back.Items[1].Payload.ToArray());
    }

    [Fact]
    public void Work_and_work_results_round_trip()
    {
        var work = new WorkBatch([new WorkItem(42, new PipelineMessage(_job, 1, 3, 77, new byte[] { 9 }))]);
        var back = RoundTrip(work);
        Assert.Equal(42, back.Items[0].Id);
        Assert.Equal(new Step("b", "price"), back.Items[0].Message.Step);

        var results = new WorkResults(
        [
            new WorkResult(1, [new byte[] { 1 }, new byte[] { 2, 2 }], null),
            new WorkResult(2, [], new PalmError(PalmErrorKind.FunctionFailed, "c", "f", 0, null, "x")),
        ], Starved: true);
        var resultsBack = RoundTrip(results);
        Assert.True(resultsBack.Starved);
        Assert.False(RoundTrip(results with { Starved = false }).Starved);
        Assert.Equal(2, resultsBack.Results[0].Outputs.Count);
        Assert.Equal([2, 2], resultsBack.Results[0].Outputs[1].ToArray());
        Assert.Equal("x", resultsBack.Results[1].Error!.Message);
    }

    [Theory]
    [InlineData("D")]
    [InlineData("R")]
    [InlineData("W")]
    [InlineData("V")]
    public void Garbage_bytes_give_a_serialization_exception_never_a_hang_or_a_crash(string manifest)
    {
        var random = new Random(1234);
        for (var i = 0; i < 3000; i++)
        {
            var garbage = new byte[random.Next(0, 200)];
            random.NextBytes(garbage);
            AssertRejectedOrValid(garbage, manifest);
        }
    }

    [Fact]
    public void Every_truncation_and_bit_flip_of_a_valid_batch_is_rejected_cleanly()
    {
        var valid = _serializer.ToBinary(new Deliver([new PipelineMessage(_job, 1, 3, 77, new byte[] { 1, 2, 3, 4 })]));
        for (var length = 0; length < valid.Length; length++)
            Assert.Throws<SerializationException>(() => _serializer.FromBinary(valid[..length], "D"));
        var random = new Random(99);
        for (var i = 0; i < 2000; i++)
        {
            var flipped = (byte[])valid.Clone();
            flipped[random.Next(flipped.Length)] ^= (byte)(1 << random.Next(8));
            AssertRejectedOrValid(flipped, "D");
        }
    }

    [Fact]
    public void A_huge_count_in_corrupt_input_is_refused_before_allocating()
    {
        var bytes = new byte[8];
        BitConverter.TryWriteBytes(bytes.AsSpan(0), int.MaxValue);
        Assert.Throws<SerializationException>(() => _serializer.FromBinary(bytes, "D"));
        Assert.Throws<SerializationException>(() => _serializer.FromBinary(bytes, "unknown"));
    }

    [Fact]
    public void The_manifests_of_the_answer_checks_that_are_gone_are_refused()
    {
        Assert.Throws<SerializationException>(() => _serializer.FromBinary(new byte[8], "C"));
        Assert.Throws<SerializationException>(() => _serializer.FromBinary(new byte[8], "K"));
    }

    [Fact]
    public void Sessions_write_control_messages_under_the_control_serializers_manifests_behind_a_prefix_and_data_messages_as_before()
    {
        IEnvelopeSerializer envelopes = _serializer;
        var control = new PalmControlSerializer((ExtendedActorSystem)Sys);
        object[] controls = [new StageFlush(Guid.NewGuid(), 3), WorkerDraining.Instance, WorkerDrained.Instance];
        foreach (var message in controls)
        {
            var manifest = envelopes.Manifest(message);
            Assert.Equal(PalmSerializer.ControlPrefix + control.Manifest(message), manifest);
            // Written into a pooled array (longer than asked for): the same bytes the control serializer writes.
            var body = envelopes.ToBinary(message, size => Enumerable.Repeat((byte)0xEE, size + 100).ToArray());
            Assert.Equal(control.ToBinary(message), body.ToArray());
            Assert.Equal(message, envelopes.FromBinary(body.ToArray(), manifest));
        }

        var work = new WorkBatch([new WorkItem(42, new PipelineMessage(_job, 1, 3, 77, new byte[] { 9 }))]);
        Assert.Equal(_serializer.Manifest(work), envelopes.Manifest(work));
        var back = (WorkBatch)envelopes.FromBinary(envelopes.ToBinary(work, size => new byte[size]).ToArray(), envelopes.Manifest(work));
        Assert.Equal(42, Assert.Single(back.Items).Id);
        // A control manifest without the prefix is not one of the data path's.
        Assert.Throws<SerializationException>(() => envelopes.FromBinary([], "WD"));
        Assert.Throws<SerializationException>(() => envelopes.FromBinary([], PalmSerializer.ControlPrefix + "D"));
    }

    [Fact]
    public void An_envelope_written_into_a_larger_used_array_carries_the_same_bytes_as_its_own()
    {
        var big = Enumerable.Range(0, 20).Select(i => new byte[10_000 + i]).ToArray();
        foreach (var (b, i) in big.Select((b, i) => (b, i))) b.AsSpan().Fill((byte)i);
        // Large payloads (some slices of a larger array) and small ones.
        var shared = new byte[30_000];
        var payloads = big.Select(b => (ReadOnlyMemory<byte>)b).Append(shared.AsMemory(5_000, 20_000)).Append(new byte[] { 1, 2, 3 }).ToList();
        object[] envelopes =
        [
            new Deliver(payloads.Select((p, i) => new PipelineMessage(_job, 0, i, Weights.Whole, p)).ToList()),
            new ResultBatch(Guid.NewGuid(), payloads.Select((p, i) => new ResultItem(i, Weights.Whole, ResultKind.Payload, p, null))
                .Append(new ResultItem(99, Weights.Whole, ResultKind.Done, default, null)).ToList()),
            new WorkBatch(payloads.Select((p, i) => new WorkItem(i, new PipelineMessage(_job, 0, i, Weights.Whole, p))).ToList()),
        ];
        foreach (var envelope in envelopes)
        {
            // A pooled array: longer than asked for, and holding an earlier frame's bytes.
            var written = _serializer.ToBinary(envelope, size => Enumerable.Repeat((byte)0xEE, size + 1000).ToArray());
            Assert.Equal(_serializer.ToBinary(envelope), written.ToArray());
        }
    }

    private void AssertRejectedOrValid(byte[] bytes, string manifest)
    {
        try
        {
            _serializer.FromBinary(bytes, manifest);
        }
        catch (SerializationException)
        {
            // Rejected cleanly: the only acceptable failure.
        }
    }
}
