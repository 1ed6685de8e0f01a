using Akka.Actor;
using Palm.Servers;

namespace Palm.Discovery.Internal;

/// <summary>
/// The one naming of server instances: the actor name a node gives each one, and the identity operators and functions see
/// (<c>name/worker-N@host:port</c> and the like), unique in the cluster and the same while the instance lives
/// (docs/internals.md#instanceidentity).
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
