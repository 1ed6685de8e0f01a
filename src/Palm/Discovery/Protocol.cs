using Akka.Actor;
using Akka.Cluster;
using Palm.Messages;
using Palm.Servers;

namespace Palm.Discovery;

/// <summary>One server (or worker) hosted by a node, as the directory lists it.</summary>
/// <param name="Name">Server name.</param>
/// <param name="Template">Template class name.</param>
/// <param name="Role">The part the instance plays.</param>
/// <param name="Server">The actor that receives its pipeline messages (a leader for parallel servers).</param>
/// <param name="Cache">The actor that serves its cache.</param>
/// <param name="Functions">The names of its functions.</param>
/// <param name="Node">The address of the node hosting it.</param>
internal sealed record ServerEntry(string Name, string Template, ServerRole Role, IActorRef Server, IActorRef Cache, string[] Functions, string Node);

/// <summary>A node telling a peer which servers it hosts; <see cref="ReplyWanted"/> asks for the peer's in return.</summary>
internal sealed record NodeServers(ServerEntry[] Entries, bool ReplyWanted) : IPalmControlMessage;

/// <summary>Asks a node to send <see cref="DirectoryUpdate"/>s to the sender now and on every change.</summary>
internal sealed record SubscribeDirectory : IPalmControlMessage
{
    public static readonly SubscribeDirectory Instance = new();
}

/// <summary>Stops the updates <see cref="SubscribeDirectory"/> started.</summary>
internal sealed record UnsubscribeDirectory : IPalmControlMessage
{
    public static readonly UnsubscribeDirectory Instance = new();
}

/// <summary>
/// A client telling a node it sends jobs through it (to the node it subscribed at, it says so by
/// subscribing): the node then counts it as a connected client, whose system its lane hands a secret to.
/// </summary>
internal sealed record ClientHello : IPalmControlMessage
{
    public static readonly ClientHello Instance = new();
}

/// <summary>Every server known to a node, cluster-wide.</summary>
internal sealed record DirectoryUpdate(ServerEntry[] Entries) : IPalmControlMessage;

/// <summary>Local request to start a server on this node.</summary>
internal sealed record StartServer(PalmServer Instance, string Name, ServerRole Role);

/// <summary>Asks a server actor for its status; it answers a <see cref="ServerReport"/> (a leader adds its worker count).</summary>
internal sealed record GetServerStatus : IPalmControlMessage
{
    public static readonly GetServerStatus Instance = new();
}

/// <summary>
/// What a server actor answers to <see cref="GetServerStatus"/>: its counters and what only it knows. Name, template,
/// role, node and functions are the directory's, so a silent server can be listed with them too.
/// </summary>
/// <param name="MessagesIn">Messages handed to its functions (for a leader: accepted to spread over its workers).</param>
/// <param name="MessagesOut">Payloads its functions produced.</param>
/// <param name="Errors">Error results it produced.</param>
/// <param name="UserTime">Wall time spent in its functions.</param>
/// <param name="Workers">For a leader, the number of workers it currently uses.</param>
/// <param name="InFlight">Messages it accepted and has not finished with yet.</param>
/// <param name="UpTime">Time since the server started.</param>
/// <param name="Instance">The identity of this instance (<c>InstanceIdentity</c>).</param>
internal sealed record ServerReport(long MessagesIn, long MessagesOut, long Errors, TimeSpan UserTime, int Workers, int InFlight, TimeSpan UpTime, string Instance)
    : IPalmControlMessage;

/// <summary>Asks a node for a <see cref="NodeReport"/>: its up time and the cluster's members as it sees them.</summary>
internal sealed record GetNodeStatus : IPalmControlMessage
{
    public static readonly GetNodeStatus Instance = new();
}

/// <summary>A node's answer to <see cref="GetNodeStatus"/>. A client is not a member, so the cluster's view comes from a node.</summary>
/// <param name="Address">The answering node's address.</param>
/// <param name="UpTime">Time since the node's actor system started.</param>
/// <param name="Clustered">Whether the node is a cluster member (otherwise <paramref name="Members"/> lists only itself).</param>
/// <param name="Members">Every member the node knows, itself included, and the members it saw removed lately.</param>
internal sealed record NodeReport(string Address, TimeSpan UpTime, bool Clustered, MemberReport[] Members) : IPalmControlMessage;

/// <summary>One member of the cluster as a node sees it.</summary>
/// <param name="Address">The member's address.</param>
/// <param name="Status">Its membership status (<see cref="MemberStatus.Removed"/> for one the node saw removed lately).</param>
/// <param name="Reachable">Whether the node's failure detector (or another member's, as gossiped) finds it reachable.</param>
/// <param name="Roles">Its cluster roles.</param>
internal sealed record MemberReport(string Address, MemberStatus Status, bool Reachable, string[] Roles);

/// <summary>Asks a node how many directory subscribers it holds (clients that did not leave would show here).</summary>
internal sealed record GetSubscriberCount : IPalmControlMessage
{
    public static readonly GetSubscriberCount Instance = new();
}
