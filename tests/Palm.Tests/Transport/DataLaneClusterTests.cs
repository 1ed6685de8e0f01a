using System.Buffers.Binary;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Configuration;
using Palm.Client;
using Palm.Configuration;
using Palm.Hosting;
using Palm.Transport;
using Palm.Transport.Internal;
using Palm.TestKit;
using Palm.Tests.Support;
using Xunit;

namespace Palm.Tests.Transport;

/// <summary>A seed and servers a and b, each its own actor system, and a client.</summary>
public sealed class LaneCluster : IAsyncLifetime
{
    /// <summary>Lanes retry quickly, unconfirmed envelopes go again soon, and envelopes under 1 KiB of payloads stay on Akka.Remote.</summary>
    public static readonly Config Settings = ConfigurationFactory.ParseString("palm.lane { retry-after = 200ms, resend-interval = 300ms, min-bytes = 1 KiB }");

    public PalmTestCluster Cluster { get; private set; } = null!;
    public PalmNode A { get; private set; } = null!;
    public PalmNode B { get; private set; } = null!;
    public PalmClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Cluster = await PalmTestCluster.StartAsync(Settings);
        A = await Cluster.StartServerAsync<WordsServer>("a");
        B = await Cluster.StartServerAsync<SuffixServer>("b");
        Client = await Cluster.ConnectClientAsync();
        await Client.WaitForServersAsync(["a", "b"], TimeSpan.FromSeconds(30));
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

/// <summary>Large envelopes travel on Palm's data lanes between real actor systems, and survive lanes that break.</summary>
[Trait(TestCategories.Category, TestCategories.Cluster)]
public sealed class DataLaneClusterTests(LaneCluster fixture) : IClassFixture<LaneCluster>
{
    private readonly PalmClient _client = fixture.Client;

    /// <summary>A payload of <paramref name="size"/> bytes that carries its index and a pattern derived from it.</summary>
    private static byte[] Payload(int index, int size)
    {
        var bytes = new byte[size];
        new Random(index).NextBytes(bytes);
        BinaryPrimitives.WriteInt32LittleEndian(bytes, index);
        return bytes;
    }

    private DataLanes[] AllLanes => [DataLanes.Get(_client.System), DataLanes.Get(fixture.A.System), DataLanes.Get(fixture.B.System)];

    private async Task<int> RunAndCheck(int count, int size, Action<int>? onResult = null)
    {
        var seen = new bool[count];
        var received = 0;
        await foreach (var r in _client.RunJob(["a.echo", "b.echo"], Enumerable.Range(0, count).Select(i => Payload(i, size)))
                           .WithTimeout(TimeSpan.FromSeconds(90)))
        {
            Assert.False(r.IsError, r.Error?.Message);
            var index = BinaryPrimitives.ReadInt32LittleEndian(r.Payload.Span);
            Assert.False(seen[index], $"result {index} arrived twice");
            seen[index] = true;
            Assert.True(r.Payload.Span.SequenceEqual(Payload(index, size)), $"result {index} is corrupt");
            received++;
            onResult?.Invoke(received);
        }
        Assert.All(seen, Assert.True);
        return received;
    }

    [Fact]
    public async Task Large_payloads_travel_on_the_lanes_and_arrive_intact_exactly_once()
    {
        var before = AllLanes.Select(l => (l.Counters.Sent, l.Inbox!.Delivered)).ToArray();
        // The first envelopes go through Akka.Remote while each lane opens; run until every hop used one.
        await AwaitAsync(async () =>
        {
            Assert.Equal(300, await RunAndCheck(300, 40_000));
            var after = AllLanes.Select(l => (l.Counters.Sent, l.Inbox!.Delivered)).ToArray();
            for (var i = 0; i < after.Length; i++)
            {
                Assert.True(after[i].Sent > before[i].Sent, $"system {i} sent nothing on a lane");
                Assert.True(after[i].Delivered > before[i].Delivered, $"system {i} received nothing on a lane");
            }
        });
        Assert.All(AllLanes, l => Assert.True(l.Enabled));
    }

    [Fact]
    public async Task Lanes_that_break_again_and_again_during_a_job_lose_and_duplicate_nothing()
    {
        var breaks = 0;
        await RunAndCheck(3000, 36_000, received =>
        {
            // Every 400 results, every lane connection of every system fails at once, in both directions.
            if (received % 400 != 0) return;
            breaks++;
            foreach (var lanes in AllLanes)
            {
                lanes.Listener!.BreakConnections();
                foreach (var peer in lanes.Peers) peer.Connection?.Break();
            }
        });
        Assert.Equal(7, breaks);
        // Envelopes in flight at a break went through Akka.Remote, and lanes opened again after it.
        Assert.True(AllLanes.Sum(l => l.Counters.Resent) > 0, "no break caught an envelope in flight");
        Assert.True(AllLanes.Sum(l => l.Counters.Opened) > 3, "no lane opened again after a break");
    }

    [Fact]
    public async Task Nothing_is_lost_when_lanes_break_while_Akka_remote_also_drops_everything_once_the_fault_stops()
    {
        var blackout = new LaneFuzzing(new LaneFuzzingSettings(Drop: 1, 0, 0, 0, TimeSpan.Zero, 1));
        var resent = AllLanes.Sum(l => l.Counters.Resent);
        foreach (var lanes in AllLanes) lanes.Fuzzing = blackout;
        try
        {
            var job = RunAndCheck(400, 36_000);
            await EventuallyAsync(() => blackout.Faults > 100);
            foreach (var lanes in AllLanes)
            {
                lanes.Listener!.BreakConnections();
                foreach (var peer in lanes.Peers) peer.Connection?.Break();
            }
            // What the broken connections held went through Akka.Remote, was dropped there, and is sent again and again.
            await EventuallyAsync(() => AllLanes.Sum(l => l.Counters.Resent) > resent + 20);
            var faults = blackout.Faults;
            await EventuallyAsync(() => blackout.Faults > faults + 100);
            Assert.False(job.IsCompleted);

            foreach (var lanes in AllLanes) lanes.Fuzzing = null;
            Assert.Equal(400, await job);
        }
        finally
        {
            foreach (var lanes in AllLanes) lanes.Fuzzing = null;
        }
    }

    [Fact]
    public async Task Envelopes_under_min_bytes_stay_on_Akka_remote_in_their_session()
    {
        var lanes = DataLanes.Get(_client.System);
        var (sent, viaRemote) = (lanes.Counters.Sent, lanes.Counters.ViaRemote);
        Assert.Equal("SMALL", Text.Of(await _client.EvalAsync(["a.upper"], Text.Bytes("small"))));
        Assert.Equal(sent, lanes.Counters.Sent);
        Assert.True(lanes.Counters.ViaRemote > viaRemote);
    }

    [Fact]
    public async Task A_stray_connection_to_a_lane_port_is_closed_and_the_node_keeps_serving()
    {
        var port = DataLanes.Get(fixture.A.System).Port;
        using (var stray = new Socket(SocketType.Stream, ProtocolType.Tcp))
        {
            await stray.ConnectAsync("127.0.0.1", port);
            await stray.SendAsync(Text.Bytes("GET / HTTP/1.1\r\nHost: palm\r\n\r\n"));
            // The lane reads no further than the bad handshake and closes the connection.
            await AssertClosedAsync(stray);
        }
        Assert.Equal(50, await RunAndCheck(50, 40_000));
    }

    [Fact]
    public async Task A_lane_frame_announcing_more_than_the_frame_size_limit_closes_the_connection_before_any_allocation()
    {
        var lanes = DataLanes.Get(fixture.A.System);
        var delivered = lanes.Inbox!.Delivered;
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync("127.0.0.1", lanes.Port);
        var prefix = new byte[8];
        BinaryPrimitives.WriteInt32LittleEndian(prefix, 40);
        BinaryPrimitives.WriteInt32LittleEndian(prefix.AsSpan(4), int.MaxValue);
        // A handshake the node accepts (as if its lane actor had handed this secret to a peer): the limit is a frame's.
        var secret = lanes.Inbox.Identities.Issue(new Address("akka.tcp", "peer", "127.0.0.1", 1));
        await socket.SendAsync(Palm.Transport.Internal.LaneFrame.Handshake(Guid.NewGuid(), secret).Concat(prefix).ToArray());
        await AssertClosedAsync(socket);
        Assert.Equal(delivered, lanes.Inbox.Delivered);
    }

    /// <summary>The peer closed the connection: an orderly end, or a reset if it closed with our bytes unread.</summary>
    private static async Task AssertClosedAsync(Socket socket)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            Assert.Equal(0, await socket.ReceiveAsync(new byte[16], SocketFlags.None, timeout.Token));
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            // Closed with unread bytes: also a refusal.
        }
    }

    /// <summary>Waits (at most 30 s) until <paramref name="condition"/> holds, through the shared <see cref="Eventually"/> helper.</summary>
    private static Task EventuallyAsync(Func<bool> condition) => Eventually.AssertAsync(() => Assert.True(condition()), TimeSpan.FromSeconds(30));

    private static async Task AwaitAsync(Func<Task> attempt)
    {
        for (var i = 1; ; i++)
        {
            try
            {
                await attempt();
                return;
            }
            catch (Exception) when (i < 10)
            {
                // Try again: the condition is eventually true.
            }
        }
    }
}

/// <summary>Nodes with lanes off and a client with lanes on: everything goes through Akka.Remote.</summary>
public sealed class DisabledLaneTests
{
    [Fact]
    [Trait(TestCategories.Category, TestCategories.Cluster)]
    public async Task A_cluster_with_lanes_off_serves_a_client_whose_lanes_are_on_through_Akka_remote()
    {
        await using var cluster = await PalmTestCluster.StartAsync(ConfigurationFactory.ParseString("palm.lane.enabled = off"));
        var node = await cluster.StartServerAsync<WordsServer>("a");
        // The client's own settings: lanes on.
        await using var client = await PalmClient.ConnectAsync(cluster.Seed.Address);
        await client.WaitForServersAsync(["a"], TimeSpan.FromSeconds(30));

        var results = new List<JobResult>();
        await foreach (var r in client.RunJob(["a.echo"], Enumerable.Range(0, 200).Select(i => new byte[40_000]))
                           .WithTimeout(TimeSpan.FromSeconds(60)))
            results.Add(r);

        Assert.Equal(200, results.Count);
        Assert.Equal(Enumerable.Range(0, 200).Select(i => (long)i), results.Select(r => r.InputIndex).Order());
        Assert.False(DataLanes.Get(node.System).Enabled);
        var clientLanes = DataLanes.Get(client.System);
        Assert.True(clientLanes.Enabled);
        Assert.Equal(0, clientLanes.Counters.Sent);
    }

    [Fact]
    public void Lane_settings_out_of_range_are_refused()
    {
        Assert.Throws<ConfigurationException>(() => LaneSettings.Create(ConfigurationFactory.ParseString("palm.lane.port = 70000")));
        Assert.Throws<ConfigurationException>(() => LaneSettings.Create(ConfigurationFactory.ParseString("palm.lane.retry-after = 0s")));
        var defaults = LaneSettings.Create(PalmConfig.Reference);
        Assert.Equal((true, 0, 0), (defaults.Enabled, defaults.MinBytes, defaults.Port));
    }
}
