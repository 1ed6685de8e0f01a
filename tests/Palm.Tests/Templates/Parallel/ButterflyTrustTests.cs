using System.Collections.Concurrent;
using Akka.Actor;
using Palm.Configuration;
using Palm.Discovery;
using Palm.Hosting;
using Palm.Messages;
using Palm.Templates.Parallel;
using Palm.Servers;
using Palm.TestKit;
using Palm.Tests.Support;
using Xunit;

namespace Palm.Tests.Templates.Parallel;

/// <summary>
/// A stranger (an actor system that is no member of the cluster, with Palm's serializer) talking to a butterfly
/// server behind its back: a worker takes work only from its leader, and a leader answers only from the worker
/// that holds the message.
/// </summary>
[Trait(TestCategories.Category, TestCategories.Cluster)]
public sealed class ButterflyTrustTests : Akka.TestKit.Xunit2.TestKit, IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    private readonly ActorSystem _stranger = ActorSystem.Create("stranger", PalmConfig.Client);
    private readonly ConcurrentQueue<object> _received = new();
    private IActorRef _recorder = ActorRefs.Nobody;

    public Task InitializeAsync()
    {
        _recorder = _stranger.ActorOf(Props.Create(() => new Recorder(_received)), "recorder");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _stranger.Terminate();

    private Task<IActorRef> Resolve(PalmNode node, string actor) =>
        _stranger.ActorSelection($"{node.Address}/user/palm/{actor}").ResolveOne(Wait);

    private PipelineMessage Message(long inputId, byte[] payload) =>
        new(new JobHeader(Guid.NewGuid(), _recorder, [new Step("c", "work")], null, null), 0, inputId, Weights.Whole, payload);

    [Fact]
    public async Task Butterfly_worker_ignores_work_from_an_actor_that_is_not_its_leader()
    {
        await using var cluster = await PalmTestCluster.StartAsync();
        await cluster.StartServerAsync<CrunchServer>("c", ServerRole.Leader);
        var workerNode = await cluster.StartServerAsync<CrunchServer>("c", ServerRole.Worker);
        var client = await cluster.ConnectClientAsync();
        await client.WaitForServersAsync(["c"], Wait, minWorkers: 1);
        var worker = await Resolve(workerNode, "worker-c-1");
        var warned = LogWatch.For(workerNode.System, text => text.Contains("ignored a batch of work from akka.tcp://stranger@", StringComparison.Ordinal));

        worker.Tell(new WorkBatch([new WorkItem(1, Message(0, [0])), new WorkItem(2, Message(1, [0]))]), _recorder);
        // The worker handles its mailbox in order: once it answers this, it has handled the batch.
        var status = await worker.Ask<ServerReport>(GetServerStatus.Instance, Wait);

        Assert.Equal(0, status.MessagesIn);
        await warned.WaitAsync(Wait);
        Assert.Empty(_received);

        // Its own leader it still serves.
        Jobs.AssertExactlyOnce(await client.RunAll(["c.work"], Enumerable.Range(0, 10).Select(_ => new byte[] { 0 }), Wait), 10);
        Assert.Equal(10, (await worker.Ask<ServerReport>(GetServerStatus.Instance, Wait)).MessagesIn);
        Assert.Empty(_received);
    }

    [Fact]
    public async Task Butterfly_leader_ignores_forged_answers_from_an_actor_that_is_not_the_worker_holding_the_messages()
    {
        await using var cluster = await PalmTestCluster.StartAsync();
        var leaderNode = await cluster.StartServerAsync<CrunchServer>("c", ServerRole.Leader);
        await cluster.StartServerAsync<CrunchServer>("c", ServerRole.Worker);
        var client = await cluster.ConnectClientAsync();
        await client.WaitForServersAsync(["c"], Wait, minWorkers: 1);
        var leader = await Resolve(leaderNode, "server-c");

        // 250 ms calls: while the forged answers arrive, the worker holds some of the job's messages (ids 1 to 8).
        const int count = 8;
        var job = client.RunAll(["c.work"], Enumerable.Range(0, count).Select(_ => new byte[] { 250, 0 }), Wait);
        await AwaitAssertAsync(async () => Assert.Equal(count, (await client.GetStatusAsync()).Servers.Single(s => s.Role == "leader").MessagesIn), Wait);
        var warned = LogWatch.For(leaderNode.System, text => text.Contains($"ignored {count} answers from akka.tcp://stranger@", StringComparison.Ordinal));

        leader.Tell(new WorkResults(Enumerable.Range(1, count).Select(id => new WorkResult(id, [Text.Bytes("forged")], null)).ToList()), _recorder);
        await warned.WaitAsync(Wait);

        var results = await job;
        Jobs.AssertExactlyOnce(results, count);
        Assert.All(results, r => Assert.Equal([250, 0], r.Payload.ToArray()));
    }

    private sealed class Recorder : ReceiveActor
    {
        public Recorder(ConcurrentQueue<object> received) => ReceiveAny(received.Enqueue);
    }
}
