using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Event;
using Palm.Cluster;
using Palm.Messages;
using Palm.Messages.Internal;
using Palm.Transport;
using Palm.Transport.Internal;
using Xunit;

namespace Palm.Tests.Transport;

/// <summary>
/// The sending side of a lane against a hand-made receiver on loopback that reads frames and
/// acknowledges only what the test tells it to: what a broken connection had not confirmed is resent.
/// </summary>
public sealed class LaneConnectionTests : Akka.TestKit.Xunit2.TestKit
{
    private readonly PalmSerializer _serializer;
    private readonly LaneContext _context;

    public LaneConnectionTests()
    {
        _serializer = new PalmSerializer((ExtendedActorSystem)Sys);
        _context = new LaneContext(LaneSettings.Create(PalmConfig.Reference), _serializer, 8 << 20, Logging.GetLogger(Sys, "test"), () => false, new LaneCounters());
    }

    private static ResultBatch Batch(long input) =>
        new(Guid.Empty, [new ResultItem(input, Weights.Whole, ResultKind.Payload, new byte[40_000], null)]);

    [Fact]
    public async Task Frames_the_receiver_never_confirmed_are_resent_through_Akka_in_order_when_the_lane_breaks()
    {
        using var receiver = new FakeReceiver();
        var remoteLane = CreateTestProbe();
        var closed = new TaskCompletionSource<Exception?>();
        var connection = await LaneConnection.OpenAsync("127.0.0.1", receiver.Port, remoteLane.Ref, _context, (_, e) => closed.TrySetResult(e));

        for (var i = 1; i <= 5; i++) Assert.True(connection.TryEnqueue(TestActor, Batch(i), null));
        var frames = await receiver.ReadFramesAsync(5);
        Assert.Equal(connection.Id, receiver.Lane);
        Assert.Equal([1L, 2L, 3L, 4L, 5L], frames.Select(f => f.Seq));
        Assert.All(frames, f => Assert.Equal(LaneFrame.PathOf(TestActor), f.Target));

        // The receiver confirms up to 3, then the connection fails.
        await receiver.AckAsync(3);
        AwaitAssert(() => Assert.Equal(2, connection.Unconfirmed), TimeSpan.FromSeconds(10));
        connection.Break();
        Assert.NotNull(await closed.Task.WaitAsync(TimeSpan.FromSeconds(10)));

        var resent = new[] { remoteLane.ExpectMsg<LaneResend>(), remoteLane.ExpectMsg<LaneResend>() };
        Assert.Equal([4L, 5L], resent.Select(r => r.Seq));
        Assert.All(resent, r => Assert.Equal(connection.Id, r.Lane));
        var batch = (ResultBatch)_serializer.FromBinary(resent[0].Body, resent[0].Manifest);
        Assert.Equal(4, Assert.Single(batch.Items).InputId);
        remoteLane.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        Assert.Equal(2, _context.Counters.Resent);
        Assert.False(connection.TryEnqueue(TestActor, Batch(6), null));
    }

    [Fact]
    public async Task A_receiver_that_goes_away_gets_everything_it_had_not_confirmed_resent()
    {
        var receiver = new FakeReceiver();
        var remoteLane = CreateTestProbe();
        var connection = await LaneConnection.OpenAsync("127.0.0.1", receiver.Port, remoteLane.Ref, _context, (_, _) => { });
        for (var i = 1; i <= 3; i++) connection.TryEnqueue(TestActor, Batch(i), null);
        await receiver.ReadFramesAsync(3);
        receiver.Dispose();

        Assert.Equal([1L, 2L, 3L], Enumerable.Range(0, 3).Select(_ => remoteLane.ExpectMsg<LaneResend>(TimeSpan.FromSeconds(10)).Seq));
        AwaitCondition(() => connection.IsClosed, TimeSpan.FromSeconds(10));
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

        public async Task<List<(long Seq, string Target)>> ReadFramesAsync(int count)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            if (_stream is null)
            {
                _socket = await _listener.AcceptSocketAsync(timeout.Token);
                _stream = new NetworkStream(_socket);
                var hello = new byte[LaneFrame.HandshakeBytes];
                await _stream.ReadExactlyAsync(hello, timeout.Token);
                Assert.Equal(LaneFrame.Magic, BinaryPrimitives.ReadInt32LittleEndian(hello));
                Lane = new Guid(hello.AsSpan(4));
            }
            var frames = new List<(long, string)>();
            for (var i = 0; i < count; i++)
            {
                var prefix = new byte[LaneFrame.PrefixBytes];
                await _stream.ReadExactlyAsync(prefix, timeout.Token);
                var header = new byte[BinaryPrimitives.ReadInt32LittleEndian(prefix)];
                await _stream.ReadExactlyAsync(header, timeout.Token);
                await _stream.ReadExactlyAsync(new byte[BinaryPrimitives.ReadInt32LittleEndian(prefix.AsSpan(4))], timeout.Token);
                var (seq, _, target, _) = LaneFrame.ReadHeader(header);
                frames.Add((seq, target));
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
