using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Akka.Configuration;
using Palm.Client;
using Palm.Hosting;
using Palm.Servers;
using Palm.TestKit;
using Palm.Tests.Client;
using Palm.Tests.Support;
using Palm.Tests.Templates.Parallel;
using Palm.Tool;
using Xunit;

namespace Palm.Tests.Tool;

/// <summary>
/// <c>palm status</c> run as a process against a cluster in the test's process (a serial server a, and a parallel
/// server c: a leader and two workers): every server listed and exit 0; a server stuck in a function listed silent,
/// and exit 1; the JSON reads back to the cluster's servers. (A dead node's row is the renderer's, covered by StatusViewTests;
/// the status call's view of a dead node by Client/StatusTests.)
/// </summary>
[Trait(TestCategories.Category, TestCategories.Process)]
public sealed class StatusCommandProcessTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    private static Task<(int Code, string Output, string Errors)> Palm(params string[] args) => PalmToolProcessTests.Palm(args);

    /// <summary>Serial server a, leader c and <paramref name="workers"/> workers of c; a client that waited for them all.</summary>
    private static async Task<PalmClient> StartServers(PalmTestCluster cluster, int workers = 2)
    {
        await cluster.StartServerAsync<SuffixServer>("a");
        await cluster.StartServerAsync<WhoServer>("c", ServerRole.Leader);
        for (var i = 0; i < workers; i++) await cluster.StartServerAsync<WhoServer>("c", ServerRole.Worker);
        var client = await cluster.ConnectClientAsync();
        await client.WaitForServersAsync(["a"], Wait);
        await client.WaitForServersAsync(["c"], Wait, minWorkers: workers);
        return client;
    }

    /// <summary>Waits until the cluster, as the test's client sees it, is healthy: what the tool then sees.</summary>
    private static async Task<ClusterStatus> Healthy(PalmClient client)
    {
        ClusterStatus status = null!;
        await Eventually.AssertAsync(async () => Assert.True((status = await client.GetStatusAsync()).Healthy), Wait);
        return status;
    }

    [Fact]
    public async Task Status_lists_every_node_and_server_of_a_healthy_cluster_exits_0_and_its_json_reads_back_to_the_same_servers()
    {
        await using var cluster = await PalmTestCluster.StartAsync();
        var client = await StartServers(cluster);
        var expected = await Healthy(client);

        var (code, output, errors) = await Palm("status", "--seed", cluster.Seed.Address);

        Assert.True(code == PalmExitCodes.Ok, output + errors);
        Assert.Equal(4, expected.Servers.Count);
        foreach (var s in expected.Servers)
            Assert.Matches($@"│ {Regex(s.Instance)}\s+│ {s.Template}\s+│ {s.Role}\s+│ Up\s+│", output);
        foreach (var n in cluster.Nodes)
            Assert.Matches($@"│ {Regex(n.Address)}\s+│ (Up|WeaklyUp)\s+│", output);
        Assert.EndsWith($"healthy: {cluster.Nodes.Count} nodes, 4 servers", output.TrimEnd());
        Assert.DoesNotContain("\u001b[", output);

        // The same cluster as JSON, for scripts.
        (code, output, errors) = await Palm("status", "--json", "--seed", cluster.Seed.Address);

        Assert.True(code == PalmExitCodes.Ok, output + errors);
        var status = JsonSerializer.Deserialize<ClusterStatus>(output, StatusView.Json)!;
        Assert.True(status.Healthy);
        Assert.Contains("\"healthy\": true", output);
        Assert.Equal(Rows(expected), Rows(status));
        Assert.All(status.Servers, s => Assert.Contains("echo", s.Functions));
        Assert.Equal(2, status.Servers.Single(s => s.Role == "leader").Workers);
        Assert.Equal(cluster.Nodes.Select(n => n.Address).Order(StringComparer.Ordinal), status.Nodes.Select(n => n.Address));
    }

    [Fact]
    public async Task A_server_stuck_in_a_function_is_listed_silent_and_status_exits_1()
    {
        await using var cluster = await PalmTestCluster.StartAsync();
        var client = await StartServers(cluster, workers: 1);
        var stuck = Gate.UniqueName("g");
        var gateNode = await cluster.StartServerAsync<GateServer>(stuck);
        await client.WaitForServersAsync([stuck], Wait);
        await Healthy(client);

        // Its only call waits: the server cannot answer anything until the test opens the gate.
        var held = client.EvalAsync([stuck + ".wait"], Text.Bytes("x"));
        await Gate.For(stuck).Entered.Task.WaitAsync(Wait);
        var (code, output, errors) = await Palm("status", "--timeout", "1s", "--seed", cluster.Seed.Address);
        Gate.For(stuck).Open.SetResult();

        Assert.True(code == PalmExitCodes.Failure, output + errors);
        var instance = $"{stuck}@{HostPort(gateNode.Address)}";
        Assert.Matches($@"│ {Regex(instance)}\s+│ RegisteredServer\s+│ standalone\s+│ Silent\s+│ echo wait\s+│\s+- │", output);
        Assert.Matches(@"│ c/worker-1@\S+\s+│ ButterflyServer\s+│ worker\s+│ Up\s+│", output);
        Assert.EndsWith($"NOT healthy ({cluster.Nodes.Count} nodes, 4 servers): {instance} Silent", output.TrimEnd());
        Assert.Equal("x!", Text.Of(await held.WaitAsync(Wait)));
    }

    [Fact]
    public async Task Without_a_terminal_watch_prints_a_snapshot_per_interval_and_ends_on_ctrl_c_with_the_last_verdict()
    {
        await using var cluster = await PalmTestCluster.StartAsync();
        var client = await StartServers(cluster, workers: 1);
        await Healthy(client);

        using var watch = DemoProcess.LaunchInterruptible(PalmToolProcessTests.Tool, "status", "--watch", "--interval", "200ms", "--seed", cluster.Seed.Address);
        await Eventually.AssertAsync(() => Assert.True(Snapshots(watch.Output) >= 2, watch.Output), Wait);
        watch.Interrupt();
        var code = await watch.WaitForExitAsync(Wait);

        Assert.True(code == PalmExitCodes.Ok, watch.Output);
        Assert.DoesNotContain("\u001b[", watch.Output);
        Assert.Equal(Snapshots(watch.Output), watch.Output.Split('\n').Count(l => l.StartsWith("healthy: ", StringComparison.Ordinal)));
    }

    private static int Snapshots(string output) => output.Split('\n').Count(l => l.StartsWith("palm status ", StringComparison.Ordinal));

    private static IEnumerable<(string, string, string, string, string, ServerState)> Rows(ClusterStatus status) =>
        status.Servers.Select(s => (s.Instance, s.Name, s.Role, s.Template, s.Node, s.State)).Order();

    private static string HostPort(string address) => address[(address.IndexOf('@') + 1)..];

    private static string Regex(string text) => System.Text.RegularExpressions.Regex.Escape(text);
}
