using System.Text.Json.Serialization;
using Palm.Servers;

namespace Palm.Client;

/// <summary>
/// The cluster as an operator sees it, from <see cref="PalmClient.GetStatusAsync(CancellationToken)"/>: every node with
/// its member state, and every server instance with its counters. Taken within <see cref="Bound"/> whatever happens:
/// a node or server that did not answer in time is listed as such (with what the directory knows of it), never a
/// reason to throw. Plain data without cycles: print it as a table, or serialize it with <c>System.Text.Json</c>
/// (states as strings).
/// </summary>
/// <param name="Time">When the status was taken (UTC).</param>
/// <param name="Bound">How long nodes and servers had to answer (<c>palm.client.status-timeout</c>, or the caller's).</param>
/// <param name="Contact">The address of the node the client is connected through.</param>
/// <param name="MembershipFrom">The node whose view of the cluster the member states are: the contact node, or another
/// node when the contact did not answer; null when no node answered (every state is then <see cref="NodeState.Unknown"/>).</param>
/// <param name="Nodes">Every node: members, members removed lately, and nodes the directory lists; ordered by address.</param>
/// <param name="Servers">Every server instance the directory lists (a parallel server's leader and each of its workers
/// on rows of their own), ordered by name, role and instance.</param>
public sealed record ClusterStatus(
    DateTimeOffset Time, TimeSpan Bound, string Contact, string? MembershipFrom, IReadOnlyList<NodeStatus> Nodes, IReadOnlyList<ServerStatus> Servers)
{
    /// <summary>
    /// Whether all is well: every server answered, and every node that is not <see cref="NodeState.Removed"/> is
    /// <see cref="NodeState.Up"/> or <see cref="NodeState.WeaklyUp"/> and answered. A health check's verdict.
    /// </summary>
    public bool Healthy =>
        Servers.All(s => s.State == ServerState.Up)
        && Nodes.Where(n => n.State != NodeState.Removed).All(n => n.Answered && n.State is NodeState.Up or NodeState.WeaklyUp);
}

/// <summary>One node of the cluster (an actor system), as <see cref="ClusterStatus.Nodes"/> lists it.</summary>
/// <param name="Address">Its address, e.g. <c>akka.tcp://palm@10.0.0.1:4053</c>.</param>
/// <param name="State">Its member state in the view of <see cref="ClusterStatus.MembershipFrom"/>.</param>
/// <param name="Answered">Whether the node itself answered within the bound (a paused or dead process does not).</param>
/// <param name="UpTime">Time since its actor system started; null when it did not answer.</param>
/// <param name="Roles">Its cluster roles: Palm gives a node <c>palm-worker</c> when it was started for a worker, <c>palm-core</c> otherwise, beside any of <c>akka.cluster.roles</c>.</param>
public sealed record NodeStatus(string Address, NodeState State, bool Answered, TimeSpan? UpTime, IReadOnlyList<string> Roles);

/// <summary>A node's member state (<see cref="NodeStatus.State"/>): Akka.Cluster's member status, with reachability folded in.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<NodeState>))]
public enum NodeState
{
    /// <summary>No node answered with the cluster's members, or the answering node does not list this one (yet).</summary>
    Unknown,

    /// <summary>Joining: not yet Up.</summary>
    Joining,

    /// <summary>Up while the cluster could not agree (some member unreachable); it serves like an Up member.</summary>
    WeaklyUp,

    /// <summary>A member in good standing.</summary>
    Up,

    /// <summary>Leaving the cluster (a node told to stop drains and leaves); also Akka's preparing and ready for shutdown.</summary>
    Leaving,

    /// <summary>Left, about to be removed.</summary>
    Exiting,

    /// <summary>A member the failure detector cannot reach (a dead, paused or cut-off process): until it is downed or comes back.</summary>
    Unreachable,

    /// <summary>Downed (by <c>palm.downing</c>), about to be removed.</summary>
    Down,

    /// <summary>No longer a member: listed for a while after its removal (up to 10 minutes, the last 32), so a dead node does not vanish without a trace.</summary>
    Removed,
}
