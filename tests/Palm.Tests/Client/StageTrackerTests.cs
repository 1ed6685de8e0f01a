using System.Buffers.Binary;
using Akka.Actor;
using Palm.Client.Internal;
using Palm.Messages;
using Palm.Templates.Reduce.Internal;
using Xunit;

namespace Palm.Tests.Client;

public sealed class StageTrackerTests
{
    private static ResultItem Absorbed(long input, UInt128 weight, int stage)
    {
        var payload = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(payload, stage);
        return new ResultItem(input, weight, ResultKind.Absorbed, payload, null);
    }

    private static ResultItem Emitted(int stage, long total, bool final)
    {
        var payload = new byte[9];
        BinaryPrimitives.WriteInt64LittleEndian(payload, total);
        payload[8] = final ? (byte)1 : (byte)0;
        return new ResultItem(stage, UInt128.Zero, ResultKind.Emitted, payload, null);
    }

    [Fact]
    public void Stages_flush_in_route_order_and_each_waits_for_what_the_previous_emitted()
    {
        var reduce = new StageTracker();
        var first = new ProbeRef("first");
        var second = new ProbeRef("second");
        Assert.True(reduce.Absorbed(Absorbed(0, Weights.Whole, 3), second));
        Assert.True(reduce.Absorbed(Absorbed(1, Weights.Whole, 1), first));
        Assert.True(reduce.Active);

        Assert.Equal((1, (IActorRef)first), reduce.Next(out var wait));
        Assert.False(wait);
        reduce.FlushSent(1);
        Assert.Null(reduce.Next(out wait));
        Assert.True(wait);

        // Stage 1's one emitted message completes (folded by stage 3) before its announcement arrives: it still counts.
        var emitted = OwnMessages.Id(1, 0);
        Assert.True(reduce.Absorbed(Absorbed(emitted, Weights.Whole, 3), second));
        Assert.True(reduce.AcceptEmitted(new ResultItem(emitted, Weights.Whole, ResultKind.Absorbed, default, null), out _));
        Assert.False(reduce.AcceptEmitted(new ResultItem(emitted, Weights.Whole, ResultKind.Absorbed, default, null), out _));
        Assert.True(reduce.Emitted(Emitted(1, 1, final: true), first));

        Assert.Equal((3, (IActorRef)second), reduce.Next(out wait));
        reduce.FlushSent(3);
        Assert.True(reduce.Emitted(Emitted(3, 2, final: true), second));
        // Two messages announced, none complete: wait for them.
        Assert.Null(reduce.Next(out wait));
        Assert.True(wait);
        Assert.Equal(2, reduce.Outstanding);
        for (var n = 1; n >= 0; n--)
            Assert.True(reduce.AcceptEmitted(new ResultItem(OwnMessages.Id(3, n), Weights.Whole, ResultKind.Payload, new byte[] { 1 }, null), out _));
        Assert.Null(reduce.Next(out wait));
        Assert.False(wait);
        Assert.Equal(0, reduce.Outstanding);
    }

    [Fact]
    public void Malformed_reports_count_for_nothing()
    {
        var reduce = new StageTracker();
        Assert.False(reduce.Absorbed(new ResultItem(0, 1, ResultKind.Absorbed, new byte[] { 1 }, null), null));
        Assert.False(reduce.Emitted(new ResultItem(-1, 0, ResultKind.Emitted, new byte[9], null), null));
        Assert.False(reduce.Active);
    }

    [Fact]
    public void Emitted_ids_are_negative_and_decode_to_their_stage_and_number()
    {
        var id = OwnMessages.Id(7, 123_456);
        Assert.True(id < 0);
        Assert.Equal((7, 123_456L), OwnMessages.Of(id));
        Assert.Equal(-1, OwnMessages.Id(0, 0));
    }

    /// <summary>A stand-in for a reduce leader's actor.</summary>
    private sealed class ProbeRef(string name) : MinimalActorRef
    {
        public override ActorPath Path { get; } = new RootActorPath(new Address("akka", "test")) / name;
        public override IActorRefProvider Provider => throw new NotSupportedException();
    }
}
