using System.Buffers.Binary;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Akka.Actor;
using Akka.Configuration;
using Palm.Client;
using Palm.Hosting;
using Palm.Messages;
using Palm.Security;
using Palm.Serialization;
using Palm.Servers;
using Palm.Transport;
using Palm.Transport.Internal;
using Palm.TestKit;
using Palm.Tests.Support;
using Xunit;

namespace Palm.Tests.Security;

/// <summary>Counts the calls of its function, and those for the payload "intruder", where every test of <see cref="LaneTlsTests"/> can read them.</summary>
public sealed class CountingServer : RegisteredServer
{
    private static long _calls;
    private static long _intruderCalls;

    public static long Calls => Interlocked.Read(ref _calls);

    public static long IntruderCalls => Interlocked.Read(ref _intruderCalls);

    [PalmFunction("count")]
    public ReadOnlyMemory<byte> Count(ReadOnlyMemory<byte> payload)
    {
        Interlocked.Increment(ref _calls);
        if (payload.Span.SequenceEqual("intruder"u8)) Interlocked.Increment(ref _intruderCalls);
        return payload;
    }
}

/// <summary>
/// A cluster with palm.tls on and its lanes on: node-a (seed, server a) and node-b (server b, which
/// counts its calls), and a client, each its own actor system with its own certificate.
/// </summary>
public sealed class LaneTlsCluster : IAsyncLifetime
{
    /// <summary>
    /// Lanes retry and resend soon; every envelope takes the lane once it is up; a silent connection is
    /// closed after 5 s (short for the test, long enough for a TLS handshake on a loaded machine). Each time the
    /// lanes are broken, megabytes of payloads are resent through Akka.Remote's TLS association, and its
    /// heartbeats queue behind them: on a loaded machine that took longer than the default 6 s pause once, and
    /// the client gave its contact node up. The pauses are raised for that reason only.
    /// </summary>
    private static readonly Config Lanes = ConfigurationFactory.ParseString("""
        palm.lane { retry-after = 200ms, resend-interval = 300ms, min-bytes = 0, handshake-timeout = 5s }
        akka.remote.watch-failure-detector.acceptable-heartbeat-pause = 20s
        akka.cluster.failure-detector.acceptable-heartbeat-pause = 20s
        """);

    public TestCertificates Certificates { get; } = new();
    public PalmTestCluster Cluster { get; private set; } = null!;
    public PalmNode B { get; private set; } = null!;
    public PalmClient Client { get; private set; } = null!;

    public Config Tls(string name) => Certificates.Tls(Certificates.Pfx(name)).WithFallback(Lanes);

    public async Task InitializeAsync()
    {
        Cluster = await PalmTestCluster.StartAsync(Tls("node-a"));
        await Cluster.Seed.StartServerAsync<WordsServer>("a");
        B = await Cluster.StartNodeAsync(Tls("node-b"));
        await B.StartServerAsync<CountingServer>("b");
        await Cluster.Seed.WaitForServersAsync(["a", "b"], TimeSpan.FromSeconds(30));
        Client = await Cluster.ConnectClientAsync(Tls("client"));
        await Client.WaitForServersAsync(["a", "b"], TimeSpan.FromSeconds(30));
    }

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        Certificates.Dispose();
    }
}

/// <summary>With palm.tls on, the data lanes run over mutual TLS: jobs take them exactly once, and nobody without a trusted certificate gets a frame in.</summary>
[Trait(TestCategories.Category, TestCategories.Cluster)]
public sealed class LaneTlsTests(LaneTlsCluster fixture) : IClassFixture<LaneTlsCluster>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);

    private DataLanes[] AllLanes => [DataLanes.Get(fixture.Client.System), DataLanes.Get(fixture.Cluster.Seed.System), DataLanes.Get(fixture.B.System)];

    /// <summary>Mostly small payloads, some of 40 KB, and every tenth larger than the TLS write buffer (1 MiB): carrying its index and a pattern.</summary>
    private static byte[] Payload(int index)
    {
        var size = index % 10 == 0 ? 1_500_000 : index % 3 == 0 ? 40_000 : 16;
        var bytes = new byte[size];
        new Random(index).NextBytes(bytes);
        BinaryPrimitives.WriteInt32LittleEndian(bytes, index);
        return bytes;
    }

    private async Task<int> RunAndCheck(int count, Action<int>? onResult = null)
    {
        var seen = new bool[count];
        var received = 0;
        await foreach (var r in fixture.Client.RunJob(["a.echo", "b.count"], Enumerable.Range(0, count).Select(Payload)).WithTimeout(Bound))
        {
            Assert.False(r.IsError, r.Error?.Message);
            var index = BinaryPrimitives.ReadInt32LittleEndian(r.Payload.Span);
            Assert.False(seen[index], $"result {index} arrived twice");
            seen[index] = true;
            Assert.True(r.Payload.Span.SequenceEqual(Payload(index)), $"result {index} is corrupt");
            received++;
            onResult?.Invoke(received);
        }
        Assert.All(seen, Assert.True);
        return received;
    }

    [Fact]
    public async Task A_job_of_large_and_small_payloads_runs_exactly_once_on_lanes_over_TLS()
    {
        Assert.All(AllLanes, l => Assert.True(l.Enabled && l.Tls, "lanes are off or without TLS"));
        var before = AllLanes.Select(l => (l.Counters.Sent, l.Inbox!.Delivered)).ToArray();
        // The first envelopes go through Akka.Remote while each lane opens; run until every hop used one.
        for (var attempt = 1; ; attempt++)
        {
            Assert.Equal(200, await RunAndCheck(200));
            var after = AllLanes.Select(l => (l.Counters.Sent, l.Inbox!.Delivered)).ToArray();
            var quiet = Enumerable.Range(0, after.Length).Where(i => after[i].Sent <= before[i].Sent).ToArray();
            if (quiet.Length == 0) break;
            Assert.True(attempt < 5, $"systems {string.Join(", ", quiet)} sent nothing on a lane");
        }
        // Every connection that carried them is a TLS one, and every listener accepted only TLS peers.
        Assert.All(AllLanes.SelectMany(l => l.Peers), p => Assert.True(p.Connection is null or { IsTls: true }));
        Assert.All(AllLanes, l => Assert.True(l.Listener!.Accepted > 0));
    }

    [Fact]
    public async Task Lanes_broken_again_and_again_during_a_TLS_job_recover_and_deliver_exactly_once()
    {
        var opened = AllLanes.Sum(l => l.Counters.Opened);
        var resent = AllLanes.Sum(l => l.Counters.Resent);
        var breaks = 0;
        await RunAndCheck(1000, received =>
        {
            // Every 200 results, every lane connection of every system fails at once, in both directions.
            if (received % 200 != 0) return;
            breaks++;
            foreach (var lanes in AllLanes)
            {
                lanes.Listener!.BreakConnections();
                foreach (var peer in lanes.Peers) peer.Connection?.Break();
            }
        });
        Assert.Equal(5, breaks);
        Assert.True(AllLanes.Sum(l => l.Counters.Resent) > resent, "no break caught an envelope in flight");
        // Recovered: lanes open again over TLS (a lane reopens palm.lane.retry-after after its break, when it has
        // something to carry, so a job that outran the breaks leaves some of that to the next one).
        await Eventually.AssertAsync(async () =>
        {
            Assert.Equal(50, await RunAndCheck(50));
            Assert.True(AllLanes.Sum(l => l.Counters.Opened) > opened + 3, "no lane opened again over TLS after a break");
        }, TimeSpan.FromSeconds(30));
        Assert.All(AllLanes.SelectMany(l => l.Peers), p => Assert.True(p.Connection is null or { IsTls: true }));
    }

    public enum Stranger
    {
        /// <summary>A certificate from another CA.</summary>
        OtherCa,
        /// <summary>A self-signed certificate.</summary>
        SelfSigned,
        /// <summary>TLS without a client certificate.</summary>
        NoCertificate,
        /// <summary>No TLS: the lane handshake and a frame in plain TCP.</summary>
        PlainTcp,
    }

    [Theory]
    [InlineData(Stranger.OtherCa)]
    [InlineData(Stranger.SelfSigned)]
    [InlineData(Stranger.NoCertificate)]
    [InlineData(Stranger.PlainTcp)]
    public async Task A_stranger_on_the_lane_port_gets_no_frame_delivered_while_the_cluster_keeps_serving(Stranger stranger)
    {
        var lanes = DataLanes.Get(fixture.B.System);
        var (delivered, calls, refused) = (lanes.Inbox!.Delivered, CountingServer.Calls, lanes.Listener!.TlsRefused);
        var bytes = LaneFrame.Handshake(Guid.NewGuid(), Guid.NewGuid()).Concat(DeliverFrame(fixture.B)).ToArray();

        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync("127.0.0.1", lanes.Port);
        var network = new NetworkStream(socket, ownsSocket: false);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            Stream stream = stranger switch
            {
                Stranger.OtherCa => await PalmTls.AuthenticateAsClientAsync(network, Trusting(fixture.Certificates.Pfx("stranger-client")), "127.0.0.1", timeout.Token),
                Stranger.SelfSigned => await PalmTls.AuthenticateAsClientAsync(network, Trusting(fixture.Certificates.SelfSignedPath), "127.0.0.1", timeout.Token),
                Stranger.NoCertificate => await WithoutCertificate(network, timeout.Token),
                _ => network,
            };
            // The TLS stranger may believe in its connection for a moment (TLS 1.3): it sends anyway, then waits for the end.
            await stream.WriteAsync(bytes, timeout.Token);
            await stream.FlushAsync(timeout.Token);
            var buffer = new byte[256];
            while (await stream.ReadAsync(buffer, timeout.Token) > 0)
            {
                // Nothing the node says matters (a TLS alert at most): only that it closes.
            }
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            // Refused during the handshake.
        }

        await AwaitAsync(() => Assert.Equal(refused + 1, lanes.Listener.TlsRefused));
        Assert.Equal(delivered, lanes.Inbox.Delivered);
        Assert.Equal(calls, CountingServer.Calls);
        Assert.Equal(0, CountingServer.IntruderCalls);
        Assert.Equal(30, await RunAndCheck(30));
        Assert.True(CountingServer.Calls >= calls + 30);
    }

    [Fact]
    public async Task A_connection_that_never_starts_TLS_is_closed_after_the_handshake_timeout()
    {
        var lanes = DataLanes.Get(fixture.B.System);
        var (delivered, refused) = (lanes.Inbox!.Delivered, lanes.Listener!.TlsRefused);
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync("127.0.0.1", lanes.Port);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            Assert.Equal(0, await socket.ReceiveAsync(new byte[16], SocketFlags.None, timeout.Token));
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            // Closed: also the end.
        }
        Assert.Equal(delivered, lanes.Inbox.Delivered);
        // Silence is a timeout, not a refused certificate.
        Assert.Equal(refused, lanes.Listener.TlsRefused);
    }

    /// <summary>Settings of a stranger with <paramref name="pfx"/> who trusts the cluster's CA (only the cluster's trust keeps it out).</summary>
    private PalmTlsSettings Trusting(string pfx) =>
        PalmTlsSettings.FromCertificates(PalmCertificates.LoadPfx(pfx), [PalmCertificates.LoadPfx(fixture.Certificates.Ours.CaPfx)]);

    private static async Task<Stream> WithoutCertificate(Stream network, CancellationToken cancellationToken)
    {
        var ssl = new SslStream(network, leaveInnerStreamOpen: false);
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "127.0.0.1",
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
        }, cancellationToken);
        return ssl;
    }

    /// <summary>A hand-made lane frame: a <see cref="Deliver"/> of one input for server b's <c>count</c>.</summary>
    private static byte[] DeliverFrame(PalmNode node)
    {
        var system = (ExtendedActorSystem)node.System;
        var serializer = (PalmSerializer)system.Serialization.FindSerializerForType(typeof(Deliver));
        var job = new JobHeader(Guid.NewGuid(), system.DeadLetters, [new Step("b", "count")], null, null);
        var deliver = new Deliver([new PipelineMessage(job, 0, 0, Weights.Whole, Text.Bytes("intruder"))]);
        var body = serializer.ToBinary(deliver);
        var target = $"{node.Address}/user/{Palm.Hosting.Internal.NodeActor.Name}/server-b";
        return [.. LaneFrame.Header(1, serializer.Manifest(deliver), target, null, body.Length), .. body];
    }

    private static Task AwaitAsync(Action assertion) => Eventually.AssertAsync(assertion, TimeSpan.FromSeconds(20));
}
