using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Event;
using Palm.Configuration;
using Palm.Messages;
using Palm.Serialization;
using Palm.Tests.Support;
using Palm.Transport;
using Palm.Transport.Internal;
using Xunit;

namespace Palm.Tests.Transport;

/// <summary>
/// The sending side of a session against a hand-made receiver on loopback that reads frames and
/// acknowledges only what the test tells it to, and a probe in place of the receiver's lane actor:
/// what is not confirmed is kept and sent again, whichever way it went first.
/// </summary>
public sealed class LaneSessionTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan ResendInterval = TimeSpan.FromMilliseconds(300);
    /// <summary>What the receiver's lane actor would have handed this system.</summary>
    private static readonly Guid Secret = Guid.NewGuid();
    private readonly PalmSerializer _serializer;
    private readonly LaneCounters _counters = new();
    private readonly Akka.TestKit.TestProbe _remoteLane;

    public LaneSessionTests()
    {
        _serializer = new PalmSerializer((ExtendedActorSystem)Sys);
        _remoteLane = CreateTestProbe();
    }

    private LaneContext Context(int maxBodyBytes = 8 << 20, TimeSpan? resendInterval = null, TimeProvider? time = null) =>
        new(LaneSettings.Create(PalmConfig.Reference) with { ResendInterval = resendInterval ?? ResendInterval }, _serializer, maxBodyBytes, Logging.GetLogger(Sys, "test"),
            () => false, _counters, time: time);

    private (LanePeer Peer, IActorRef Actor) StartSession(LaneContext? context = null, Action<LanePeer>? ended = null)
    {
        var peer = new LanePeer(new Address("akka.tcp", "peer", "127.0.0.1", 1), _remoteLane.Ref, _counters);
        _session = peer.Session;
        context ??= Context();
        ended ??= _ => { };
        peer.Actor = Sys.ActorOf(Props.Create(() => new LaneSessionActor(peer, context, ended)));
        return (peer, peer.Actor);
    }

    private LaneConnection Connect(LanePeer peer, FakeReceiver receiver, LaneContext? context = null)
    {
        context ??= Context();
        // Tried until it connects: a connection that just closed makes the next wait a moment.
        AwaitCondition(() =>
        {
            peer.ConnectIfDue(p => LaneConnection.OpenAsync("127.0.0.1", receiver.Port, Secret, p, context, (c, _) => p.Closed(c, TimeSpan.FromMilliseconds(1))),
                (_, e) => throw new InvalidOperationException("connect failed", e), TimeSpan.FromMilliseconds(1));
            return peer.Connection is not null;
        }, TimeSpan.FromSeconds(10));
        return peer.Connection!;
    }

    private static ResultBatch Batch(long input, int size = 40_000) =>
        new(Guid.Empty, [new ResultItem(input, Weights.Whole, ResultKind.Payload, Filled(input, size), null)]);

    /// <summary>A payload whose every byte tells which input it belongs to.</summary>
    private static byte[] Filled(long input, int size) => Enumerable.Repeat((byte)(input * 37 % 251), size).ToArray();

    /// <summary>Asserts that <paramref name="body"/> is the envelope of input <paramref name="input"/>, byte for byte.</summary>
    private void AssertBodyOf(long input, byte[] body, string manifest)
    {
        var item = Assert.Single(((ResultBatch)_serializer.FromBinary(body, manifest)).Items);
        Assert.Equal(input, item.InputId);
        Assert.True(item.Payload.Span.SequenceEqual(Filled(input, 40_000)), $"the body of input {input} carries other bytes");
    }

    /// <summary>The sequence numbers of the next <paramref name="count"/> envelopes sent through Akka.Remote, and the first batch's note of what was confirmed.</summary>
    private (List<long> Seqs, long Confirmed) ExpectSeqs(int count)
    {
        var first = ExpectEnvelopes();
        Assert.Equal(_session, first.Session);
        var seqs = first.Envelopes.Select(e => e.Seq).ToList();
        while (seqs.Count < count) seqs.AddRange(ExpectEnvelopes().Envelopes.Select(e => e.Seq));
        return (seqs, first.Confirmed);
    }

    private Guid _session;

    /// <summary>The next batch of envelopes the session sent through Akka.Remote (skipping the empty "where we are" notes).</summary>
    private LaneEnvelopes ExpectEnvelopes() =>
        (LaneEnvelopes)_remoteLane.FishForMessage(m => m is LaneEnvelopes { Envelopes.Count: > 0 }, TimeSpan.FromSeconds(10));

    [Fact]
    public async Task Frames_carry_the_session_sequence_and_acknowledgements_confirm_them_in_the_session()
    {
        using var receiver = new FakeReceiver();
        var (peer, _) = StartSession();
        Connect(peer, receiver);

        for (var i = 1; i <= 5; i++) Assert.Equal(SendResult.Lane, peer.Send(TestActor, Batch(i), null, lane: true));
        var frames = await receiver.ReadFramesAsync(5);
        Assert.Equal((peer.Session, Secret), (receiver.Lane, receiver.Secret));
        Assert.Equal([1L, 2L, 3L, 4L, 5L], frames.Select(f => f.Seq));
        Assert.All(frames, f => Assert.Equal(LaneFrame.PathOf(TestActor), f.Target));

        await receiver.AckAsync(3);
        AwaitAssert(() => Assert.Equal((3L, 2), (peer.Confirmed, peer.Unconfirmed)), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task What_a_broken_connection_had_not_confirmed_goes_through_Akka_and_is_resent_until_confirmed()
    {
        using var receiver = new FakeReceiver();
        var (peer, _) = StartSession();
        var connection = Connect(peer, receiver);
        for (var i = 1; i <= 5; i++) peer.Send(TestActor, Batch(i), null, lane: true);
        await receiver.ReadFramesAsync(5);
        await receiver.AckAsync(3);
        AwaitAssert(() => Assert.Equal(2, peer.Unconfirmed), TimeSpan.FromSeconds(10));

        connection.Break();
        var first = ExpectEnvelopes();
        Assert.Equal((peer.Session, 3L, 4L), (first.Session, first.Confirmed, first.Envelopes[0].Seq));
        var batch = (ResultBatch)_serializer.FromBinary(first.Envelopes[0].Body, first.Envelopes[0].Manifest);
        Assert.Equal(4, Assert.Single(batch.Items).InputId);
        Assert.Equal(5, ExpectEnvelopes().Envelopes[0].Seq);

        // Akka.Remote delivers at most once: with no confirmation, the same envelopes go again.
        Assert.Equal([4L, 5L], ExpectSeqs(2).Seqs);
        _remoteLane.Reply(new LaneConfirmed(peer.Session, 5));
        AwaitAssert(() => Assert.Equal(0, peer.Unconfirmed), TimeSpan.FromSeconds(10));
        _remoteLane.ExpectNoMsg(ResendInterval * 3);
        Assert.True(_counters.Resent >= 4, $"resent {_counters.Resent}");
    }

    [Fact]
    public async Task Bodies_reused_after_confirmation_carry_each_envelope_s_own_bytes_on_the_lane_and_through_Akka()
    {
        using var receiver = new FakeReceiver();
        var context = Context();
        var (peer, _) = StartSession(context);
        var connection = Connect(peer, receiver, context);

        for (var i = 1; i <= 5; i++) peer.Send(TestActor, Batch(i), null, lane: true);
        foreach (var (seq, _, manifest, body) in await receiver.ReadFramesAsync(5)) AssertBodyOf(seq, body, manifest);
        await receiver.AckAsync(3);
        // The three confirmed bodies went back to the pool...
        AwaitAssert(() => Assert.True(context.BodyPool.RetainedBytes >= 3 * 40_000, $"pool keeps {context.BodyPool.RetainedBytes} bytes"), TimeSpan.FromSeconds(10));

        // ...and serve the next frames, while 4 and 5 still wait for their confirmation in theirs.
        for (var i = 6; i <= 8; i++) peer.Send(TestActor, Batch(i), null, lane: true);
        foreach (var (seq, _, manifest, body) in await receiver.ReadFramesAsync(3)) AssertBodyOf(seq, body, manifest);
        Assert.True(context.BodyPool.RetainedBytes < 3 * 40_000, "the new frames took their bodies from the pool");

        connection.Break();
        var resent = new List<LaneEnvelope>();
        while (resent.Count < 5) resent.AddRange(ExpectEnvelopes().Envelopes);
        Assert.Equal([4L, 5L, 6L, 7L, 8L], resent.Take(5).Select(e => e.Seq));
        foreach (var e in resent) AssertBodyOf(e.Seq, e.Body, e.Manifest);
        _remoteLane.Reply(new LaneConfirmed(peer.Session, 8));
        AwaitAssert(() => Assert.Equal(0, peer.Unconfirmed), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task The_sequence_continues_on_the_next_connection_of_the_session()
    {
        var (peer, _) = StartSession();
        using (var receiver = new FakeReceiver())
        {
            var connection = Connect(peer, receiver);
            peer.Send(TestActor, Batch(1), null, lane: true);
            peer.Send(TestActor, Batch(2), null, lane: true);
            await receiver.ReadFramesAsync(2);
            await receiver.AckAsync(2);
            AwaitAssert(() => Assert.Equal(2, peer.Confirmed), TimeSpan.FromSeconds(10));
            connection.Break();
            AwaitCondition(() => peer.Connection is null, TimeSpan.FromSeconds(10));
        }

        using var next = new FakeReceiver();
        Connect(peer, next);
        // The receiver learns through Akka.Remote what it had confirmed, in case it forgot the session.
        _remoteLane.FishForMessage(m => m is LaneEnvelopes { Envelopes.Count: 0, Confirmed: 2 }, TimeSpan.FromSeconds(10));
        peer.Send(TestActor, Batch(3), null, lane: true);
        Assert.Equal(3, Assert.Single(await next.ReadFramesAsync(1)).Seq);
        Assert.Equal(peer.Session, next.Lane);
    }

    [Fact]
    public void Envelopes_sent_while_no_lane_is_up_go_through_Akka_in_sequence_and_are_kept_until_confirmed()
    {
        var (peer, _) = StartSession();
        for (var i = 1; i <= 3; i++) Assert.Equal(SendResult.Remote, peer.Send(TestActor, Batch(i, 100), null, lane: true));

        Assert.Equal([1L, 2L, 3L], ExpectSeqs(3).Seqs);
        Assert.Equal(3, peer.Unconfirmed);
        _remoteLane.Reply(new LaneConfirmed(peer.Session, 3));
        AwaitAssert(() => Assert.Equal(0, peer.Unconfirmed), TimeSpan.FromSeconds(10));
        Assert.Equal(3, _counters.ViaRemote);
    }

    [Fact]
    public void An_unconfirmed_envelope_is_sent_again_once_the_resend_interval_has_passed_on_the_session_s_clock_and_not_before()
    {
        // An interval no real timer reaches during the test: only the injected clock and the ticks sent here decide.
        var time = new ManualTime();
        var interval = TimeSpan.FromHours(1);
        var (peer, actor) = StartSession(Context(resendInterval: interval, time: time));
        Assert.Equal(SendResult.Remote, peer.Send(TestActor, Batch(1, 100), null, lane: true));
        Assert.Equal([1L], ExpectSeqs(1).Seqs);

        time.Advance(interval - TimeSpan.FromMilliseconds(1));
        actor.Tell(LaneResendTick.Instance);
        // A new connection makes the session send an empty "where we are" note: handled after the tick, it is
        // the next thing the receiver gets only if the tick sent nothing.
        actor.Tell(new LaneConnectionOpened(null!));
        Assert.Empty(_remoteLane.ExpectMsg<LaneEnvelopes>(TimeSpan.FromSeconds(10)).Envelopes);
        Assert.Equal(0, _counters.Resent);

        time.Advance(TimeSpan.FromMilliseconds(1));
        actor.Tell(LaneResendTick.Instance);
        Assert.Equal([1L], ExpectSeqs(1).Seqs);
        Assert.Equal(1, _counters.Resent);
    }

    [Fact]
    public async Task A_session_whose_receiving_system_is_gone_stops_resending_and_logs_what_it_dropped()
    {
        var ended = new TaskCompletionSource<LanePeer>();
        var (peer, actor) = StartSession(ended: p => ended.TrySetResult(p));
        Watch(actor);
        for (var i = 1; i <= 3; i++) peer.Send(TestActor, Batch(i, 100), null, lane: false);
        ExpectEnvelopes();

        EventFilter.Warning(contains: "dropped the 3 envelopes it had not confirmed").ExpectOne(TimeSpan.FromSeconds(10), () => Sys.Stop(_remoteLane.Ref));
        ExpectTerminated(actor);
        Assert.Same(peer, await ended.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal((0, 3L), (peer.Unconfirmed, _counters.Abandoned));
        Assert.Equal(SendResult.Ended, peer.Send(TestActor, Batch(4), null, lane: false));
    }

    [Fact]
    public void An_envelope_too_large_for_Akka_remote_keeps_its_place_with_nothing_to_deliver()
    {
        var (peer, _) = StartSession(Context(maxBodyBytes: 10_000));
        EventFilter.Error(contains: "larger than akka.remote.dot-netty.tcp.maximum-frame-size").ExpectOne(TimeSpan.FromSeconds(10),
            () => peer.Send(TestActor, Batch(1, 40_000), null, lane: false));
        var envelope = Assert.Single(ExpectEnvelopes().Envelopes);
        Assert.Equal((1L, LaneFrame.SkipManifest, 0), (envelope.Seq, envelope.Manifest, envelope.Body.Length));
    }

    /// <summary>Accepts one lane connection and reads its handshake and frames by the lane's wire format.</summary>
    private sealed class FakeReceiver : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private Socket? _socket;
        private NetworkStream? _stream;

        public FakeReceiver() => _listener.Start();

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
        public Guid Lane { get; private set; }
        public Guid Secret { get; private set; }

        public async Task<List<(long Seq, string Target, string Manifest, byte[] Body)>> ReadFramesAsync(int count)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            if (_stream is null)
            {
                _socket = await _listener.AcceptSocketAsync(timeout.Token);
                _stream = new NetworkStream(_socket);
                var hello = new byte[LaneFrame.HandshakeBytes];
                await _stream.ReadExactlyAsync(hello, timeout.Token);
                Assert.Equal(LaneFrame.Magic, BinaryPrimitives.ReadInt32LittleEndian(hello));
                Assert.True(LaneFrame.TryReadHandshake(hello, out var lane, out var secret));
                (Lane, Secret) = (lane, secret);
            }
            var frames = new List<(long, string, string, byte[])>();
            for (var i = 0; i < count; i++)
            {
                var prefix = new byte[LaneFrame.PrefixBytes];
                await _stream.ReadExactlyAsync(prefix, timeout.Token);
                var header = new byte[BinaryPrimitives.ReadInt32LittleEndian(prefix)];
                await _stream.ReadExactlyAsync(header, timeout.Token);
                var body = new byte[BinaryPrimitives.ReadInt32LittleEndian(prefix.AsSpan(4))];
                await _stream.ReadExactlyAsync(body, timeout.Token);
                var (seq, manifest, target, _) = LaneFrame.ReadHeader(header);
                frames.Add((seq, target, manifest, body));
            }
            return frames;
        }

        public async Task AckAsync(long seq)
        {
            var ack = new byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(ack, seq);
            await _stream!.WriteAsync(ack);
        }

        public void Dispose()
        {
            _socket?.Dispose();
            _listener.Stop();
        }
    }
}
