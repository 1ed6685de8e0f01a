using System.Runtime.CompilerServices;
using Akka.Actor;
using Akka.Event;
using Palm.Configuration;
using Palm.Messages;
using Palm.Serialization;
using Palm.Transport;
using Palm.Transport.Internal;
using Xunit;

namespace Palm.Tests.Transport;

/// <summary>
/// An outbound frame's body: copied into the pool once encoded, so the frame keeps none of its
/// message's arrays, and back to the pool only when the last holder lets go.
/// </summary>
public sealed class OutboundFrameTests : Akka.TestKit.Xunit2.TestKit
{
    private readonly PalmSerializer _serializer;
    private readonly LaneContext _context;

    public OutboundFrameTests()
    {
        _serializer = new PalmSerializer((ExtendedActorSystem)Sys);
        _context = new LaneContext(LaneSettings.Create(PalmConfig.Reference), _serializer, 8 << 20, Logging.GetLogger(Sys, "test"), () => false, new LaneCounters());
    }

    private OutboundFrame Frame(byte[] payload) =>
        new(TestActor, new ResultBatch(Guid.Empty, [new ResultItem(7, Weights.Whole, ResultKind.Payload, payload, null)]), null) { Seq = 1 };

    [Fact]
    public void An_encoded_frame_keeps_none_of_its_message_s_arrays()
    {
        var (frame, payload) = EncodedFrameOfAPayloadNoOneElseHolds();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Assert.False(payload.TryGetTarget(out _), "the frame still holds the payload it was made of");

        // Yet it carries every byte of it.
        var item = Assert.Single(((ResultBatch)_serializer.FromBinary(frame.ToEnvelope().Body, frame.Manifest)).Items);
        Assert.True(item.Payload.Span.SequenceEqual(Payload()));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private (OutboundFrame, WeakReference<byte[]>) EncodedFrameOfAPayloadNoOneElseHolds()
    {
        var payload = Payload();
        var frame = Frame(payload);
        frame.Encode(_context);
        return (frame, new WeakReference<byte[]>(payload));
    }

    private static byte[] Payload() => Enumerable.Range(0, 50_000).Select(i => (byte)(i % 253)).ToArray();

    [Fact]
    public void A_body_goes_back_to_the_pool_only_when_the_last_holder_lets_go_and_the_frame_cannot_be_held_again()
    {
        var frame = Frame(Payload());
        Assert.True(frame.TryRetain()); // a writer
        frame.Encode(_context);
        var envelope = frame.ToEnvelope();

        frame.Release(); // the session: confirmed while the writer still writes
        Assert.Equal(0, _context.BodyPool.RetainedBytes);
        frame.Release(); // the writer is done
        var retained = _context.BodyPool.RetainedBytes;
        Assert.True(retained >= 50_000);
        Assert.False(frame.TryRetain());
        frame.Release(); // one too many: the body must not go into the pool twice
        Assert.Equal(retained, _context.BodyPool.RetainedBytes);

        // The envelope for Akka.Remote has a body of its own: reusing the pooled one does not touch it.
        _context.BodyPool.Rent(50_100).AsSpan().Fill(0xEE);
        var item = Assert.Single(((ResultBatch)_serializer.FromBinary(envelope.Body, envelope.Manifest)).Items);
        Assert.True(item.Payload.Span.SequenceEqual(Payload()));
    }

    [Fact]
    public void A_frame_released_before_it_was_encoded_has_nothing_to_give_back()
    {
        var frame = Frame(Payload());
        frame.Release();
        Assert.False(frame.TryRetain());
        Assert.Equal(0, _context.BodyPool.RetainedBytes);
    }
}
