using Akka.Actor;
using Palm.Servers;

namespace Palm.Discovery.Internal;

/// <summary>
/// The one naming of server instances: the actor name a node gives each one, and the identity an operator and a
/// function see (<c>ServerStatus.Instance</c>, <c>MessageContext.Instance</c>): <c>name@host:port</c> for a server
/// that runs alone, <c>name/leader@host:port</c> for a leader, <c>name/worker-N@host:port</c> for the N-th worker of
/// <c>name</c> its node started. The node's address makes it unique in the cluster; it stays the same while the
/// instance lives, and a node restarted on a fixed port gives its workers the same identities again.
/// </summary>
internal static class InstanceIdentity
{
    /// <summary>The actor name of an instance under the node actor: <c>server-NAME</c>, or <c>worker-NAME-N</c>.</summary>
    public static string ActorName(string name, ServerRole role, int worker) =>
        role == ServerRole.Worker ? $"worker-{name}-{worker}" : $"server-{name}";

    /// <summary>The identity of the instance with actor <paramref name="actorName"/>, as <see cref="ActorName"/> made it.</summary>
    public static string Of(string name, ServerRole role, string actorName, string node)
    {
        var at = "@" + HostOf(node);
        return role switch
        {
            ServerRole.Leader => $"{name}/leader{at}",
            ServerRole.Worker => actorName.StartsWith($"worker-{name}-", StringComparison.Ordinal)
                ? $"{name}/worker-{actorName[(name.Length + 8)..]}{at}"
                : $"{name}/{actorName}{at}",
            _ => name + at,
        };
    }

    /// <summary>The identity of a directory entry's instance; the same string its own runtime reports.</summary>
    public static string Of(ServerEntry entry) => Of(entry.Name, entry.Role, entry.Server.Path.Name, entry.Node);

    /// <summary><c>host:port</c> of a node address, or the address itself when it has none (a node outside any cluster).</summary>
    public static string HostOf(string node) =>
        Address.TryParse(node, out var address) && address.Host is not null ? $"{address.Host}:{address.Port}" : node;
}
