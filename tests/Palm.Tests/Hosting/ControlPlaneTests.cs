using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using Palm.Configuration;
using Palm.Discovery;
using Palm.Hosting;
using Palm.Hosting.Internal;
using Palm.Messages;
using Palm.Servers;
using Palm.TestKit;
using Palm.Tests.Support;
using Xunit;

namespace Palm.Tests.Hosting;

/// <summary>A server that answers every call as an impostor would, to tell whose server a job reached.</summary>
public sealed class ImpostorServer : RegisteredServer
{
    [PalmFunction("tag")]
    public byte[] Tag(byte[] _) => Text.Bytes("impostor");
}

/// <summary>
/// The control plane trusts only members: directory entries, server starts and subscriptions from
/// anyone else are refused, checked from the sender's address and never from what a message claims.
/// </summary>
[Trait(TestCategories.Category, TestCategories.Cluster)]
public sealed class ControlPlaneTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    /// <summary>An actor system that is neither a member nor a Palm client: remoting on loopback and Palm's serializers, nothing else.</summary>
    private static ActorSystem Stranger() => ActorSystem.Create("palm", ConfigurationFactory.ParseString("""
        akka.actor.provider = remote
        akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
        akka.loglevel = ERROR
        """).WithFallback(PalmConfig.Reference));

    /// <summary>Collects the warnings a node logs.</summary>
    private static Task<string> WarningContaining(ActorSystem system, string text)
    {
        var seen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var listener = system.ActorOf(Props.Create(() => new WarningListener(text, seen)));
        system.EventStream.Subscribe(listener, typeof(Warning));
        return seen.Task;
    }

    private sealed class WarningListener : ReceiveActor
    {
        public WarningListener(string text, TaskCompletionSource<string> seen) =>
            Receive<Warning>(w =>
            {
                if (w.ToString().Contains(text, StringComparison.Ordinal)) seen.TrySetResult(w.ToString());
            });
    }

    private static Task Refused(PalmNode node, string kind) =>
        Eventually.AssertAsync(() => Assert.True(node.Refusals.CountOf(kind) > 0, $"node {node.Address} refused no '{kind}' message"), Wait);

    [Fact]
    public async Task A_stranger_announcing_a_server_is_ignored_and_jobs_keep_reaching_the_real_one()
    {
        await using var cluster = await PalmTestCluster.StartAsync();
        await cluster.StartServerAsync<SuffixServer>("target");
        var client = await cluster.ConnectClientAsync();
        await client.WaitForServersAsync(["target"], Wait);

        using var stranger = Stranger();
        var fake = stranger.ActorOf(Props.Create(() => new ImpostorActor()), "server-target");
        var seedNode = await stranger.ActorSelection($"{cluster.Seed.Address}/user/palm").ResolveOne(Wait);
        var claim = new ServerEntry("target", "RegisteredServer", ServerRole.Standalone, fake, ActorRefs.Nobody, ["tag"], cluster.Seed.Address);
        seedNode.Tell(new NodeServers([claim], ReplyWanted: true), fake);

        await Refused(cluster.Seed, "node-servers");
        Assert.All(cluster.Seed.Directory.Current.All, e => Assert.NotEqual(fake, e.Server));
        var results = await client.RunJob(["target.tag"], Enumerable.Range(0, 200).Select(i => Text.Bytes($"{i}"))).WithTimeout(Wait).ToListAsync();
        Assert.Equal(200, results.Count);
        Assert.All(results, r => Assert.Equal($"{r.InputIndex}>target", Text.Of(r.Payload)));
        Assert.NotEmpty((await client.GetStatusAsync()).Servers);
    }

    [Fact]
    public async Task A_stranger_cannot_start_a_server_on_a_node()
    {
        await using var cluster = await PalmTestCluster.StartAsync();

        // The request as the node actor sees one that arrived over remoting: its sender is an actor of
        // another system. (A stranger cannot even get one through the wire: StartServer has no serializer.)
        using var stranger = Stranger();
        var strangerActor = stranger.ActorOf(Props.Create(() => new ImpostorActor()), "stranger");
        var remoteSender = await cluster.Seed.System.ActorSelection($"{((ExtendedActorSystem)stranger).Provider.DefaultAddress}/user/stranger").ResolveOne(Wait);
        cluster.Seed.NodeActor.Tell(new StartServer(new SuffixServer(), "evil", ServerRole.Standalone), remoteSender);

        await Refused(cluster.Seed, "start-server");
        Assert.DoesNotContain("evil", cluster.Seed.KnownServers);
        await Assert.ThrowsAsync<ActorNotFoundException>(() => cluster.Seed.System.ActorSelection("/user/palm/server-evil").ResolveOne(TimeSpan.FromSeconds(3)));
    }

    [Fact]
    public async Task A_name_claimed_by_a_second_member_is_reported_and_stays_with_the_first()
    {
        await using var cluster = await PalmTestCluster.StartAsync();
        await cluster.StartServerAsync<SuffixServer>("x");
        var client = await cluster.ConnectClientAsync();
        var warned = WarningContaining(cluster.Seed.System, "Server name 'x' is claimed by node");

        var second = await cluster.StartNodeAsync();
        await second.StartServerAsync<ImpostorServer>("x");

        await warned.WaitAsync(Wait);
        Assert.Equal("in>x", Text.Of(await client.EvalAsync(["x.tag"], Text.Bytes("in"))));
        // The newcomer's own node sees the same owner: member age, not the order of learning, decides.
        await Eventually.AssertAsync(() => Assert.Equal(2, second.Directory.Current.All.Count(e => e.Name == "x")), Wait);
        Assert.NotEqual(second.Address, second.Directory.Current.Servers.Single(s => s.Name == "x").Node);
    }

    [Fact]
    public async Task Directory_subscriptions_are_bounded()
    {
        var config = ConfigurationFactory.ParseString("palm.node.max-directory-subscribers = 2\npalm.connect-timeout = 3s");
        await using var cluster = await PalmTestCluster.StartAsync(config);
        await cluster.ConnectClientAsync();
        await cluster.ConnectClientAsync();

        var refused = await Assert.ThrowsAsync<PalmConnectException>(() => cluster.ConnectClientAsync());
        Assert.Contains("palm.node.max-directory-subscribers", refused.Message);
        await Refused(cluster.Seed, "directory-subscribers");
    }

    [Fact]
    public async Task A_server_cache_refuses_writes_past_its_bounds()
    {
        var config = ConfigurationFactory.ParseString("palm.cache.max-entries = 3\npalm.cache.max-bytes = 1000");
        await using var cluster = await PalmTestCluster.StartAsync(config);
        await cluster.StartServerAsync<SuffixServer>("x");
        var client = await cluster.ConnectClientAsync();
        var cache = client.Cache("x");

        await cache.SetAsync(new byte[400], "a");
        await cache.SetAsync(new byte[400], "b");
        var tooBig = await Assert.ThrowsAnyAsync<Exception>(async () => await cache.AppendAsync("b", new byte[400]));
        Assert.True(tooBig.Message.Contains("palm.cache.max-bytes"), tooBig.ToString());
        await cache.SetAsync(new byte[10], "c");
        var tooMany = await Assert.ThrowsAnyAsync<Exception>(async () => await cache.SetAsync(new byte[1], "d"));
        Assert.Contains("palm.cache.max-entries", tooMany.Message);

        // Deleting makes room again, and what is stored is intact.
        Assert.True(await cache.DeleteAsync("a"));
        await cache.SetAsync(new byte[300], "d");
        Assert.Equal(400, (await cache.GetAsync("b"))!.Length);
    }

    private sealed class ImpostorActor : ReceiveActor
    {
        public ImpostorActor() => ReceiveAny(_ => { });
    }
}
