using System.Text.Json;
using Palm.Client;
using Palm.Servers;
using Xunit;

namespace Palm.Tests.Client;

/// <summary>A <see cref="ClusterStatus"/> is plain data: JSON for scripts (states as words), and a verdict for health checks.</summary>
public sealed class ClusterStatusTests
{
    private static ClusterStatus Sample(ServerState server = ServerState.Up, NodeState node = NodeState.Up, bool answered = true) => new(
        new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero), TimeSpan.FromSeconds(5), "akka.tcp://palm@10.0.0.1:4053", "akka.tcp://palm@10.0.0.1:4053",
        [
            new NodeStatus("akka.tcp://palm@10.0.0.1:4053", NodeState.Up, true, TimeSpan.FromHours(2), ["palm-core"]),
            new NodeStatus("akka.tcp://palm@10.0.0.2:4053", node, answered, answered ? TimeSpan.FromMinutes(1) : null, ["palm-worker"]),
        ],
        [
            new ServerStatus("c", "ButterflyServer", "leader", "akka.tcp://palm@10.0.0.1:4053", 10, 10, 0, TimeSpan.FromSeconds(1), 1)
            {
                Instance = "c/leader@10.0.0.1:4053", Functions = ["echo", "work"], UpTime = TimeSpan.FromHours(2), InFlight = 3,
            },
            new ServerStatus("c", "ButterflyServer", "worker", "akka.tcp://palm@10.0.0.2:4053", 0, 0, 0, TimeSpan.Zero, 0)
            {
                Instance = "c/worker-1@10.0.0.2:4053", Functions = ["echo", "work"], State = server,
            },
        ]);

    [Fact]
    public void A_status_serializes_to_json_with_states_as_words_and_reads_back_the_same()
    {
        var json = JsonSerializer.Serialize(Sample(ServerState.Silent, NodeState.Unreachable, answered: false));
        Assert.Contains("\"State\":\"Silent\"", json);
        Assert.Contains("\"State\":\"Unreachable\"", json);
        Assert.Contains("\"Healthy\":false", json);
        Assert.Contains("\"Instance\":\"c/worker-1@10.0.0.2:4053\"", json);

        var back = JsonSerializer.Deserialize<ClusterStatus>(json)!;
        Assert.Equal(json, JsonSerializer.Serialize(back));
        Assert.Equal(NodeState.Unreachable, back.Nodes[1].State);
        Assert.Equal(["echo", "work"], back.Servers[0].Functions);
    }

    [Fact]
    public void A_status_is_healthy_only_when_every_server_answered_and_every_member_is_up_and_answered()
    {
        Assert.True(Sample().Healthy);
        Assert.True(Sample(node: NodeState.WeaklyUp).Healthy);
        Assert.False(Sample(server: ServerState.Silent).Healthy);
        Assert.False(Sample(node: NodeState.Unreachable, answered: false).Healthy);
        Assert.False(Sample(answered: false).Healthy);
        Assert.False(Sample(node: NodeState.Leaving).Healthy);
        // A node removed from the cluster is history, not a fault of the cluster that is left.
        Assert.True(Sample(node: NodeState.Removed, answered: false).Healthy);
    }
}
