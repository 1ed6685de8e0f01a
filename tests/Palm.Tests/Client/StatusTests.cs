using System.Diagnostics;
using Akka.Configuration;
using Palm.Client;
using Palm.Hosting;
using Palm.Servers;
using Palm.TestKit;
using Palm.Tests.Support;
using Palm.Tests.Templates.Parallel;
using Xunit;

namespace Palm.Tests.Client;

/// <summary>Answers with the identity of the instance that ran it, as its functions see it.</summary>
public sealed class WhoServer : ButterflyServer
{
    [PalmFunction("who")]
    public byte[] Who(byte[] payload, MessageContext context)
    {
        // Simulated work, not synchronization: calls that take a moment spread over both workers.
        Thread.Sleep(2);
        return Text.Bytes(context.Instance);
    }
}

/// <summary>
/// <see cref="PalmClient.GetStatusAsync(TimeSpan, CancellationToken)"/> on a real cluster: within its bound whatever
/// happens, every node with its member state and every server instance with its functions and counters; a server
/// stuck in a function is silent, a killed node unreachable and then removed, and never a reason to throw.
/// </summary>
[Trait(TestCategories.Category, TestCategories.Cluster)]
public sealed class StatusTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(2);

    // A loaded 2-core machine may take a while past the bound to hand the answer back; never another bound's worth.
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(1.5);

    /// <summary>Takes the status and checks it came within the bound.</summary>
    private static async Task<ClusterStatus> StatusWithinBound(PalmClient client)
    {
        var clock = Stopwatch.StartNew();
        var status = await client.GetStatusAsync(Bound);
        Assert.True(clock.Elapsed < Bound + Slack, $"status took {clock.Elapsed.TotalSeconds:0.00} s, bound {Bound.TotalSeconds} s");
        return status;
    }

    [Fact]
    public async Task Status_lists_every_node_and_server_within_the_bound_and_a_server_stuck_in_a_function_as_silent()
    {
        await using var cluster = await PalmTestCluster.StartAsync();
        var serialNode = await cluster.StartServerAsync<SuffixServer>("a");
        var leaderNode = await cluster.StartServerAsync<WhoServer>("c", ServerRole.Leader);
        var worker1 = await cluster.StartServerAsync<WhoServer>("c", ServerRole.Worker);
        var worker2 = await cluster.StartServerAsync<WhoServer>("c", ServerRole.Worker);
        var stuck = Gate.UniqueName("g");
        var gateNode = await cluster.StartServerAsync<GateServer>(stuck);
        var client = await cluster.ConnectClientAsync();
        await client.WaitForServersAsync(["c"], Wait, minWorkers: 2);
        await client.WaitForServersAsync(["a", stuck], Wait);
        Jobs.AssertExactlyOnce(await client.RunAll(["a.tag", "c.who"], Enumerable.Range(0, 50).Select(i => Text.Bytes($"{i}")), Wait), 50);

        // The gate's only call waits: its server cannot answer anything until the test opens it.
        var held = client.EvalAsync([stuck + ".wait"], Text.Bytes("x"));
        await Gate.For(stuck).Entered.Task.WaitAsync(Wait);
        var status = await StatusWithinBound(client);

        Assert.False(status.Healthy);
        Assert.Equal(cluster.Seed.Address, status.Contact);
        Assert.Equal(cluster.Seed.Address, status.MembershipFrom);
        Assert.Equal(Bound, status.Bound);
        var a = Assert.Single(status.Servers, s => s.Name == "a");
        Assert.Equal((ServerState.Up, "standalone", "RegisteredServer", serialNode.Address), (a.State, a.Role, a.Template, a.Node));
        Assert.Equal(50, a.MessagesIn);
        Assert.Equal(50, a.MessagesOut);
        Assert.Contains("tag", a.Functions);
        Assert.Contains("echo", a.Functions);
        Assert.True(a.UpTime > TimeSpan.Zero);
        Assert.Equal(0, a.InFlight);
        var leader = Assert.Single(status.Servers, s => s.Name == "c" && s.Role == "leader");
        Assert.Equal((ServerState.Up, 2, 50L, leaderNode.Address), (leader.State, leader.Workers, leader.MessagesIn, leader.Node));
        var workers = status.Servers.Where(s => s.Name == "c" && s.Role == "worker").ToArray();
        Assert.Equal(new[] { worker1.Address, worker2.Address }.Order(StringComparer.Ordinal), workers.Select(w => w.Node).Order(StringComparer.Ordinal));
        Assert.All(workers, w => Assert.Equal((ServerState.Up, "ButterflyServer"), (w.State, w.Template)));
        Assert.Equal(50, workers.Sum(w => w.MessagesIn));
        Assert.Equal(2, workers.Select(w => w.Instance).Distinct().Count());

        var silent = Assert.Single(status.Servers, s => s.Name == stuck);
        Assert.Equal((ServerState.Silent, "standalone", gateNode.Address), (silent.State, silent.Role, silent.Node));
        Assert.Contains("wait", silent.Functions);
        Assert.Null(silent.UpTime);
        Assert.Equal($"{stuck}@{HostPort(gateNode)}", silent.Instance);

        // Every node, its member state and roles, answered for itself: the stuck server's node too, only its server is busy.
        // (A newcomer is WeaklyUp while the cluster's gossip has not converged yet: a member that serves all the same.)
        Assert.Equal(cluster.Nodes.Select(n => n.Address).Order(StringComparer.Ordinal), status.Nodes.Select(n => n.Address));
        Assert.All(status.Nodes, n => Assert.True(n.Answered && n.State is NodeState.Up or NodeState.WeaklyUp, $"{n.Address}: {n.State}"));
        Assert.All(status.Nodes, n => Assert.True(n.UpTime > TimeSpan.Zero));
        Assert.Equal([NodeOptions.WorkerRole], status.Nodes.Single(n => n.Address == worker1.Address).Roles);
        Assert.Equal([NodeOptions.CoreRole], status.Nodes.Single(n => n.Address == serialNode.Address).Roles);

        Gate.For(stuck).Open.SetResult();
        Assert.Equal("x!", Text.Of(await held.WaitAsync(Wait)));
        await Eventually.AssertAsync(async () => Assert.True((await StatusWithinBound(client)).Healthy), Wait);
    }

    [Fact]
    public async Task Each_worker_has_an_identity_of_its_own_that_its_functions_see_in_the_message_context()
    {
        await using var cluster = await PalmTestCluster.StartAsync();
        var leaderNode = await cluster.StartServerAsync<WhoServer>("c", ServerRole.Leader);
        var workerNode = await cluster.StartNodeAsync();
        // Two workers of one server on one node: still one identity each.
        await workerNode.StartServerAsync<WhoServer>("c", ServerRole.Worker);
        await workerNode.StartServerAsync<WhoServer>("c", ServerRole.Worker);
        var client = await cluster.ConnectClientAsync();
        await client.WaitForServersAsync(["c"], Wait, minWorkers: 2);

        var results = await client.RunAll(["c.who"], Enumerable.Range(0, 200).Select(_ => new byte[1]), Wait);
        var seen = results.Select(r => Text.Of(r.Payload)).ToHashSet();

        var status = await StatusWithinBound(client);
        var workers = status.Servers.Where(s => s.Role == "worker").Select(s => s.Instance).Order().ToArray();
        Assert.Equal([$"c/worker-1@{HostPort(workerNode)}", $"c/worker-2@{HostPort(workerNode)}"], workers);
        Assert.Equal(workers, seen.Order());
        Assert.Equal($"c/leader@{HostPort(leaderNode)}", status.Servers.Single(s => s.Role == "leader").Instance);
    }

    [Fact]
    public async Task A_killed_worker_node_is_listed_unreachable_then_removed_and_status_keeps_answering_within_the_bound()
    {
        await using var cluster = await PalmTestCluster.StartAsync(PalmTestCluster.FastFailureDetection);
        await cluster.StartServerAsync<WhoServer>("c", ServerRole.Leader);
        await cluster.StartServerAsync<WhoServer>("c", ServerRole.Worker);
        // Started outside the test cluster, to die without leaving: no coordinated shutdown, no goodbye to the others.
        var doomed = await PalmHost.StartNodeAsync(new NodeOptions
        {
            Seeds = [cluster.Seed.Address],
            Role = ServerRole.Worker,
            Config = ConfigurationFactory.ParseString("akka.coordinated-shutdown.run-by-actor-system-terminate = off")
                .WithFallback(PalmTestCluster.FastFailureDetection).WithFallback(PalmTestCluster.FastMembership),
        });
        await doomed.StartServerAsync<WhoServer>("c", ServerRole.Worker);
        var client = await cluster.ConnectClientAsync();
        await client.WaitForServersAsync(["c"], Wait, minWorkers: 2);
        Assert.True((await StatusWithinBound(client)).Healthy);

        await doomed.System.Terminate().WaitAsync(Wait);

        var states = new List<NodeState>();
        await Eventually.AssertAsync(async () =>
        {
            var status = await StatusWithinBound(client);
            var node = Assert.Single(status.Nodes, n => n.Address == doomed.Address);
            states.Add(node.State);
            Assert.False(node.Answered);
            Assert.Equal(NodeState.Removed, node.State);
        }, Wait);
        // Until failure detection notices, membership still lists it as it was (WeaklyUp or Up); once found unreachable
        // (or downed), it is never listed as a healthy member again.
        var afterFound = states.SkipWhile(s => s is NodeState.Up or NodeState.WeaklyUp).ToArray();
        Assert.DoesNotContain(NodeState.Up, afterFound);
        Assert.DoesNotContain(NodeState.WeaklyUp, afterFound);

        // A removed node is history, not a fault: the cluster that is left is healthy.
        var after = await StatusWithinBound(client);
        Assert.True(after.Healthy);
        Assert.DoesNotContain(after.Servers, s => s.Node == doomed.Address);
        Assert.Equal(1, after.Servers.Single(s => s.Role == "leader").Workers);
        Assert.All(after.Nodes.Where(n => n.Address != doomed.Address), n => Assert.True(n.Answered && n.State is NodeState.Up or NodeState.WeaklyUp, $"{n.Address}: {n.State}"));
        Assert.All(after.Servers, s => Assert.Equal(ServerState.Up, s.State));
    }

    private static string HostPort(PalmNode node) => node.Address[(node.Address.IndexOf('@') + 1)..];
}
