using System.Net.Sockets;
using Akka.Configuration;
using Palm.Client;
using Palm.Hosting;
using Palm.TestKit;
using Palm.Tests.Support;
using Palm.Transport;
using Palm.Transport.Internal;
using Xunit;

namespace Palm.Tests.Diagnostics;

/// <summary>The per-node instruments of the <c>Palm</c> meter on a real cluster: the lanes' own counters, refusals by reason.</summary>
[Trait(TestCategories.Category, TestCategories.Cluster)]
public sealed class LaneMetricsTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Every_lane_instrument_shows_the_counters_of_its_node_and_a_refused_handshake_counts_once()
    {
        await using var cluster = await PalmTestCluster.StartAsync();
        var server = await cluster.StartServerAsync<WordsServer>("w");
        // Envelopes below 1 MiB take Akka.Remote from the client: every batch of inputs is a fallback.
        var client = await cluster.ConnectClientAsync(ConfigurationFactory.ParseString("palm.lane.min-bytes = 1MiB"));
        await client.WaitForServersAsync(["w"], Wait);
        using var capture = new MeterCapture();

        Assert.Equal(50, await client.RunJob(["w.upper"], Enumerable.Range(0, 50).Select(i => Text.Bytes($"x{i}")).ToArray()).WithTimeout(Wait).CountAsync());

        var lanes = DataLanes.Get(server.System);
        var clientNode = ("palm.node", ((Akka.Actor.ExtendedActorSystem)client.System).Provider.DefaultAddress.ToString());
        var serverNode = ("palm.node", server.Address);
        Assert.True(capture.Value("palm.lane.fallbacks", clientNode) > 0);
        // The server's results went on its lane to the client once open, through Akka.Remote before.
        Assert.True(capture.Value("palm.lane.frames_sent", serverNode) + capture.Value("palm.lane.fallbacks", serverNode) > 0);
        foreach (var (instrument, read) in new (string, Func<long>)[]
                 {
                     ("palm.lane.fallbacks", () => Interlocked.Read(ref lanes.Counters.ViaRemote)),
                     ("palm.lane.resends", () => Interlocked.Read(ref lanes.Counters.Resent)),
                     ("palm.lane.frames_sent", () => Interlocked.Read(ref lanes.Counters.Sent)),
                     ("palm.lane.connections_opened", () => Interlocked.Read(ref lanes.Counters.Opened)),
                 })
            await Eventually.AssertAsync(() => Assert.Equal(read(), capture.Value(instrument, serverNode)), Wait);
        Assert.Equal(0, capture.Value("palm.lane.refused_connections", serverNode, ("palm.reason", "handshake")));
        Assert.Equal(0, capture.Value("palm.lane.refused_frames", serverNode, ("palm.reason", "target")));

        // A made-up handshake: a secret this node never handed out.
        using (var socket = new Socket(SocketType.Stream, ProtocolType.Tcp))
        {
            await socket.ConnectAsync("127.0.0.1", lanes.Port);
            await socket.SendAsync(LaneFrame.Handshake(Guid.NewGuid(), Guid.NewGuid()));
            await Eventually.AssertAsync(() => Assert.Equal(1, capture.Value("palm.lane.refused_connections", serverNode, ("palm.reason", "handshake"))), Wait);
        }
        Assert.Equal(0, capture.Value("palm.lane.refused_connections", serverNode, ("palm.reason", "limit")));
        Assert.Equal(0, capture.Value("palm.lane.refused_connections", serverNode, ("palm.reason", "tls")));

        await cluster.StopNodeAsync(server);
        Assert.DoesNotContain(capture.Collect(), r => r.Has(serverNode));
    }
}
