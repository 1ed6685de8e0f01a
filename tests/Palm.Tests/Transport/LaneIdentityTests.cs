using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Configuration;
using Palm.Client;
using Palm.Client.Internal;
using Palm.Configuration;
using Palm.Hosting;
using Palm.Messages;
using Palm.Serialization;
using Palm.Servers;
using Palm.Transport;
using Palm.Transport.Internal;
using Palm.Tests.Templates.Parallel;
using Palm.TestKit;
using Palm.Tests.Support;
using Xunit;

namespace Palm.Tests.Transport;

/// <summary>Counts the calls of its one function, per server name: whether a stranger's frame ran it.</summary>
public sealed class TrapServer : RegisteredServer
{
    private static readonly ConcurrentDictionary<string, int> CallsByName = new();

    public static int Calls(string server) => CallsByName.GetValueOrDefault(server);

    [PalmFunction("count")]
    public byte[] Count(byte[] payload)
    {
        CallsByName.AddOrUpdate(Name, 1, (_, n) => n + 1);
        return payload;
    }
}

/// <summary>
/// A cluster (seed, node A with server x and butterfly leader c, node B with server y and a worker of
/// c, a client) and a stranger: an actor system with Akka.Remote and Palm's serializers that is
/// neither a member nor a client.
/// </summary>
public sealed class IdentityCluster : IAsyncLifetime
{
    private static readonly Config StrangerConfig = ConfigurationFactory.ParseString("""
        akka.actor.provider = remote
        akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0 }
        """).WithFallback(PalmConfig.Reference);

    public PalmTestCluster Cluster { get; private set; } = null!;
    public PalmNode A { get; private set; } = null!;
    public PalmNode B { get; private set; } = null!;
    public PalmClient Client { get; private set; } = null!;
    public ActorSystem Stranger { get; private set; } = null!;

    /// <summary>An actor of the stranger: the client of its made-up jobs, and the sender it may truthfully name.</summary>
    public IActorRef Pretender { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Cluster = await PalmTestCluster.StartAsync(ConfigurationFactory.ParseString("palm.lane { retry-after = 200ms, resend-interval = 300ms }"));
        A = await Cluster.StartServerAsync<TrapServer>("x");
        B = await Cluster.StartServerAsync<TrapServer>("y");
        await A.StartServerAsync(new CrunchServer(), "c", ServerRole.Leader);
        await B.StartServerAsync(new CrunchServer(), "c", ServerRole.Worker);
        Client = await Cluster.ConnectClientAsync();
        await Client.WaitForServersAsync(["x", "y"], TimeSpan.FromSeconds(30));
        await Client.WaitForServersAsync(["c"], TimeSpan.FromSeconds(30), minWorkers: 1);
        Stranger = ActorSystem.Create("stranger", StrangerConfig);
        Pretender = Stranger.ActorOf(Props.Empty, "pretender");
    }

    public async Task DisposeAsync()
    {
        await Stranger.Terminate();
        await Cluster.DisposeAsync();
    }
}

/// <summary>
/// What a stranger could do with a lane port, Akka.Remote and a lane secret of its own, and why none
/// of it reaches a server or a client: a lane connection speaks for the system whose secret it presents, frames are delivered
/// only to that system's claims and only to local Palm actors, and sessions belong to one system.
/// </summary>
[Trait(TestCategories.Category, TestCategories.Cluster)]
public sealed class LaneIdentityTests(IdentityCluster fixture) : IClassFixture<IdentityCluster>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private DataLanes LanesOf(ActorSystem system) => DataLanes.Get(system);

    private PalmSerializer Serializer => (PalmSerializer)fixture.Stranger.Serialization.FindSerializerForType(typeof(Deliver));

    private static string PathAt(string address, string path) => address + path;

    private string ServerX => PathAt(fixture.A.Address, "/user/palm/server-x");

    /// <summary>The client's actor, with its system's address.</summary>
    private string ClientActor => LaneFrame.PathOf(fixture.Client.Actor)!;

    /// <summary>A one-input job for server x (count), as a stranger builds it: the job's client is <paramref name="client"/>.</summary>
    private static Deliver DeliverFor(IActorRef client) =>
        new([new PipelineMessage(new JobHeader(Guid.NewGuid(), client, [new Step("x", "count")], null, null), 0, 0, Weights.Whole, new byte[100])]);

    private IActorRef StrangerRef(string path) => ((ExtendedActorSystem)fixture.Stranger).Provider.ResolveActorRef(path);

    /// <summary>
    /// <paramref name="system"/>'s lane endpoint with a secret bound to the stranger. A stranger is
    /// handed none (<see cref="LaneAdmissionTests"/>); these tests give it one, to show that even a
    /// stranger holding a secret of its own gets nothing through.
    /// </summary>
    private Task<LaneEndpoint> AskEndpointAsync(ActorSystem system)
    {
        var lanes = LanesOf(system);
        var stranger = ((ExtendedActorSystem)fixture.Stranger).Provider.DefaultAddress;
        return Task.FromResult(new LaneEndpoint("127.0.0.1", lanes.Port, lanes.Inbox!.Identities.Issue(stranger)));
    }

    private byte[] Frame(long seq, object message, string target, string? sender)
    {
        var body = Serializer.ToBinary(message);
        return [.. LaneFrame.Header(seq, Serializer.Manifest(message), target, sender, body.Length), .. body];
    }

    private static async Task<Socket> ConnectAsync(int port, Guid lane, Guid secret)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync("127.0.0.1", port);
        await socket.SendAsync(LaneFrame.Handshake(lane, secret));
        return socket;
    }

    /// <summary>Sends a frame and reads the acknowledgement: once it came, the receiver has dealt with the frame.</summary>
    private static async Task<long> SendAsync(Socket socket, byte[] frame)
    {
        await socket.SendAsync(frame);
        var ack = new byte[8];
        using var timeout = new CancellationTokenSource(Wait);
        var read = 0;
        while (read < 8)
        {
            var n = await socket.ReceiveAsync(ack.AsMemory(read), SocketFlags.None, timeout.Token);
            Assert.True(n > 0, "the lane closed the connection instead of acknowledging");
            read += n;
        }
        return BinaryPrimitives.ReadInt64LittleEndian(ack);
    }

    private static async Task AssertClosedAsync(Socket socket)
    {
        using var timeout = new CancellationTokenSource(Wait);
        try
        {
            while (await socket.ReceiveAsync(new byte[64], SocketFlags.None, timeout.Token) > 0)
            {
                // Only acknowledgements could come; the connection must end.
            }
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            // Closed with our bytes unread: also a close.
        }
    }

    private async Task RunJobAsync(int count, params string[] route)
    {
        var seen = new bool[count];
        await foreach (var r in fixture.Client.RunJob(route.Length > 0 ? route : ["x.count", "y.count"], Enumerable.Range(0, count).Select(i => new byte[20_000]))
                           .WithTimeout(TimeSpan.FromSeconds(60)))
        {
            Assert.False(r.IsError, r.Error?.Message);
            Assert.False(seen[r.InputIndex], $"result {r.InputIndex} arrived twice");
            seen[r.InputIndex] = true;
        }
        Assert.All(seen, Assert.True);
    }

    [Fact]
    public async Task A_program_that_writes_a_made_up_handshake_and_a_Deliver_frame_to_a_lane_port_runs_nothing()
    {
        var lanes = LanesOf(fixture.A.System);
        var (calls, delivered, refused) = (TrapServer.Calls("x"), lanes.Inbox!.Delivered, lanes.Listener!.RefusedHandshakes);

        using var socket = await ConnectAsync(lanes.Port, Guid.NewGuid(), new Guid(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)));
        try
        {
            await socket.SendAsync(Frame(1, DeliverFor(fixture.Pretender), ServerX, null));
        }
        catch (SocketException)
        {
            // Closed already.
        }
        await AssertClosedAsync(socket);

        Assert.Equal(refused + 1, lanes.Listener.RefusedHandshakes);
        Assert.Equal(delivered, lanes.Inbox.Delivered);
        Assert.Equal(calls, TrapServer.Calls("x"));
    }

    [Fact]
    public async Task A_stranger_with_a_secret_of_its_own_cannot_send_results_to_a_client_in_a_servers_name()
    {
        var lanes = LanesOf(fixture.Client.System);
        var inbox = lanes.Inbox!;
        var endpoint = await AskEndpointAsync(fixture.Client.System);
        Assert.NotEqual(Guid.Empty, endpoint.Secret);
        var (delivered, refused, untrusted) = (inbox.Delivered, inbox.RefusedFrames, fixture.Client.Counters.Untrusted);
        var results = new ResultBatch(Guid.NewGuid(), [new ResultItem(0, Weights.Whole, ResultKind.Payload, new byte[] { 6, 6, 6 }, null)]);

        using var socket = await ConnectAsync(endpoint.Port, Guid.NewGuid(), endpoint.Secret);
        // Claims to come from server x on node A: dropped, and its place in the sequence taken.
        Assert.Equal(1, await SendAsync(socket, Frame(1, results, ClientActor, ServerX)));
        Assert.Equal(refused + 1, inbox.RefusedFrames);
        Assert.Equal(delivered, inbox.Delivered);

        // The same frame in the stranger's own name is delivered: the secret is the stranger's, and
        // the client judges the results by that (true) sender.
        var stranger = LaneFrame.PathOf(fixture.Pretender)!;
        Assert.Equal(2, await SendAsync(socket, Frame(2, results, ClientActor, stranger)));
        Assert.Equal(delivered + 1, inbox.Delivered);
        Assert.Equal(refused + 1, inbox.RefusedFrames);
        await Eventually.AssertAsync(() => Assert.Equal(untrusted + 1, fixture.Client.Counters.Untrusted), Wait);
    }

    [Fact]
    public async Task Frames_for_another_nodes_actors_or_for_actors_that_are_not_Palm_servers_workers_or_clients_are_dropped()
    {
        var lanes = LanesOf(fixture.A.System);
        var inbox = lanes.Inbox!;
        var endpoint = await AskEndpointAsync(fixture.A.System);
        var (calls, callsY, delivered, refused) = (TrapServer.Calls("x"), TrapServer.Calls("y"), inbox.Delivered, inbox.RefusedFrames);
        var deliver = DeliverFor(fixture.Pretender);
        string[] targets =
        [
            // A relay: node A must not pass a frame on to node B.
            PathAt(fixture.B.Address, "/user/palm/server-y"),
            PathAt(fixture.A.Address, "/user/palm"),
            PathAt(fixture.A.Address, "/system/palm-lane"),
            PathAt(fixture.A.Address, "/user/palm/cache-x"),
            PathAt(fixture.A.Address, "/user/palm/server-x/child"),
            PathAt(fixture.A.Address, "/user/some-actor"),
            "not a path",
        ];

        using var socket = await ConnectAsync(endpoint.Port, Guid.NewGuid(), endpoint.Secret);
        for (var i = 0; i < targets.Length; i++)
            Assert.Equal(i + 1, await SendAsync(socket, Frame(i + 1, deliver, targets[i], null)));

        Assert.Equal(refused + targets.Length, inbox.RefusedFrames);
        Assert.Equal(delivered, inbox.Delivered);
        Assert.Equal((calls, callsY), (TrapServer.Calls("x"), TrapServer.Calls("y")));
        // The only frame of the lot for a local server is delivered.
        Assert.Equal(targets.Length + 1, await SendAsync(socket, Frame(targets.Length + 1, deliver, ServerX, null)));
        Assert.Equal(delivered + 1, inbox.Delivered);
    }

    [Fact]
    public async Task A_stranger_cannot_move_another_systems_session_on_by_Akka_remote_nor_by_a_lane()
    {
        await RunJobAsync(20);
        var clientLanes = LanesOf(fixture.Client.System);
        var peer = clientLanes.Peers.Single(p => p.Address.ToString() == fixture.A.Address);
        var inbox = LanesOf(fixture.A.System).Inbox!;
        var confirmed = inbox.Confirmed(peer.Session);
        Assert.True(confirmed > 0);
        var refused = inbox.RefusedSessions;
        var calls = TrapServer.Calls("x");

        // Through Akka.Remote: a batch that says everything up to far ahead was confirmed, and one
        // more envelope for server x, in the client's session; once with a sender, once without.
        var aLane = StrangerRef(PathAt(fixture.A.Address, "/system/" + LaneActor.Name));
        var body = Serializer.ToBinary(DeliverFor(fixture.Pretender));
        var forged = new LaneEnvelopes(peer.Session, confirmed + 1000, [new LaneEnvelope(confirmed + 1001, "D", ServerX, null, body)]);
        var replies = new ConcurrentQueue<object>();
        var synced = new TaskCompletionSource();
        var me = fixture.Stranger.ActorOf(Props.Create(() => new StrangerActor(replies, synced)));
        aLane.Tell(forged, ActorRefs.NoSender);
        aLane.Tell(forged, me);
        // Same sender, same receiver: when the lane actor answers this, it has handled the batch.
        aLane.Tell(new Identify(null), me);
        await synced.Task.WaitAsync(Wait);

        await Eventually.AssertAsync(() => Assert.Equal(refused + 2, inbox.RefusedSessions), Wait);
        Assert.Equal(confirmed, inbox.Confirmed(peer.Session));
        Assert.DoesNotContain(replies, r => r is LaneConfirmed);
        Assert.Equal(calls, TrapServer.Calls("x"));

        // On a lane: a connection of the client's session with the stranger's secret is closed.
        var endpoint = await AskEndpointAsync(fixture.A.System);
        var listener = LanesOf(fixture.A.System).Listener!;
        var closed = listener.RefusedHandshakes;
        using (var socket = await ConnectAsync(endpoint.Port, peer.Session, endpoint.Secret))
            await AssertClosedAsync(socket);
        Assert.Equal(closed + 1, listener.RefusedHandshakes);

        // And the client's session goes on where it was.
        await RunJobAsync(20);
        Assert.True(inbox.Confirmed(peer.Session) > confirmed);
    }

    [Fact]
    public async Task A_confirmation_from_a_stranger_does_not_make_a_session_forget_what_it_sent()
    {
        var lanes = LanesOf(fixture.Client.System);
        await RunJobAsync(5);
        var peer = lanes.Peers.Single(p => p.Address.ToString() == fixture.A.Address);
        try
        {
            // Nothing the client sends arrives, so what it sends stays unconfirmed.
            lanes.Fuzzing = new LaneFuzzing(new LaneFuzzingSettings(1, 0, 0, 0, TimeSpan.Zero, 1));
            var job = fixture.Client.EvalAsync(["x.count"], new byte[20_000]);
            await Eventually.AssertAsync(() => Assert.True(peer.Unconfirmed > 0), Wait);

            var sessionActor = StrangerRef(LaneFrame.PathOf(peer.Actor)!);
            var synced = new TaskCompletionSource();
            var me = fixture.Stranger.ActorOf(Props.Create(() => new StrangerActor(new ConcurrentQueue<object>(), synced)));
            sessionActor.Tell(new LaneConfirmed(peer.Session, long.MaxValue), me);
            sessionActor.Tell(new Identify(null), me);
            await synced.Task.WaitAsync(Wait);
            // The input never reached node A: nothing but a forged confirmation could confirm it.
            Assert.True(peer.Unconfirmed > 0, "the session forgot envelopes on a stranger's word");

            lanes.Fuzzing = null;
            Assert.NotNull(await job.WaitAsync(Wait));
        }
        finally
        {
            lanes.Fuzzing = null;
        }
    }

    [Fact]
    public async Task The_clusters_own_traffic_is_never_refused()
    {
        var systems = new[] { fixture.Client.System, fixture.A.System, fixture.B.System };
        (long, long, long) Refusals(ActorSystem s) => (LanesOf(s).Inbox!.RefusedFrames, LanesOf(s).Inbox!.RefusedSessions, LanesOf(s).Listener!.RefusedHandshakes);
        var before = systems.Select(Refusals).ToArray();
        var (sent, toWorker) = (LanesOf(fixture.Client.System).Counters.Sent, LanesOf(fixture.B.System).Inbox!.Delivered);

        // Client to server x, to butterfly leader c and its worker on another node, to server y, and back.
        await RunJobAsync(100, "x.count", "c.work", "y.count");

        Assert.True(LanesOf(fixture.Client.System).Counters.Sent > sent, "the job did not use the lanes");
        Assert.True(LanesOf(fixture.B.System).Inbox!.Delivered > toWorker);
        Assert.Equal(before, systems.Select(Refusals));
    }

    /// <summary>The stranger's actor: keeps what it is sent, and signals when an <see cref="Identify"/> it sent is answered.</summary>
    private sealed class StrangerActor : ReceiveActor
    {
        public StrangerActor(ConcurrentQueue<object> replies, TaskCompletionSource synced)
        {
            Receive<ActorIdentity>(_ => synced.TrySetResult());
            ReceiveAny(replies.Enqueue);
        }
    }
}

/// <summary>The secrets a lane actor hands out, one per asking system.</summary>
public sealed class LaneSecretTests
{
    private static Address System(int port) => new("akka.tcp", "palm", "127.0.0.1", port);

    [Fact]
    public void A_system_that_asks_again_gets_its_secret_again_and_the_system_that_asked_longest_ago_is_forgotten_when_full()
    {
        var identities = new LaneIdentities(capacity: 2);
        var (a, b) = (identities.Issue(System(1)), identities.Issue(System(2)));
        Assert.NotEqual(a, b);
        Assert.Equal(a, identities.Issue(System(1)));

        // System 2 asked longest ago now: it makes room for system 3.
        var c = identities.Issue(System(3));
        Assert.Equal(2, identities.Count);
        Assert.False(identities.TryResolve(b, out _));
        Assert.True(identities.TryResolve(a, out var first));
        Assert.Equal(System(1), first);
        Assert.True(identities.TryResolve(c, out var third));
        Assert.Equal(System(3), third);
        Assert.False(identities.TryResolve(Guid.Empty, out _));
        Assert.NotEqual(b, identities.Issue(System(2)));
    }

    [Fact]
    public void A_lane_endpoint_does_not_show_its_secret_when_logged()
    {
        var secret = Guid.NewGuid();
        Assert.DoesNotContain(secret.ToString(), new LaneEndpoint("127.0.0.1", 1, secret).ToString());
    }
}

/// <summary>Stand-ins for the actors lanes deliver to, for tests that deliver to a probe.</summary>
internal static class LaneTestTargets
{
    /// <summary>
    /// An actor at <c>/user/palm-client-{name}</c>, registered as a receiver lanes deliver to (see <c>LaneReceivers</c>),
    /// that forwards everything to <paramref name="to"/> with its sender.
    /// </summary>
    public static IActorRef ClientStandIn(ActorSystem system, IActorRef to, string name = "stand-in")
    {
        var actor = system.ActorOf(Props.Create(() => new ForwardActor(to)), "palm-client-" + name);
        DataLanes.Get(system).AddReceiver(actor);
        return actor;
    }

    private sealed class ForwardActor : ReceiveActor
    {
        public ForwardActor(IActorRef to) => ReceiveAny(m => to.Forward(m));
    }
}
