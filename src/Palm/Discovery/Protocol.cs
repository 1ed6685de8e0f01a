using Akka.Actor;
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

/// <summary>Asks a server actor for its status (a leader adds its worker count).</summary>
internal sealed record GetServerStatus : IPalmControlMessage
{
    public static readonly GetServerStatus Instance = new();
}

/// <summary>Asks a node how many directory subscribers it holds (clients that did not leave would show here).</summary>
internal sealed record GetSubscriberCount : IPalmControlMessage
{
    public static readonly GetSubscriberCount Instance = new();
}
