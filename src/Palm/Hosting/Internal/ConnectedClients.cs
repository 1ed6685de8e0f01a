using System.Collections.Immutable;
using Akka.Actor;

namespace Palm.Hosting.Internal;

/// <summary>
/// The clients connected to one node: client actors that subscribed to its directory or said
/// <see cref="Discovery.ClientHello"/>, until they unsubscribe or stop. With the members of the cluster, their
/// systems are the ones the node's lane hands a secret to. At most <paramref name="capacity"/> at once
/// (<c>palm.node.max-directory-subscribers</c>). Changed by the node actor only; read from any thread.
/// </summary>
internal sealed class ConnectedClients(int capacity)
{
    private readonly HashSet<IActorRef> _actors = [];
    // Client actors per system: a system stays connected while it has one (a count, so removal is O(1)).
    private readonly Dictionary<Address, int> _perSystem = new();
    private volatile ImmutableHashSet<Address> _systems = ImmutableHashSet<Address>.Empty;

    /// <summary>Adds <paramref name="client"/> (a remote actor); false when the node already holds as many clients as it may.</summary>
    public bool Add(IActorRef client)
    {
        if (_actors.Contains(client)) return true;
        if (_actors.Count >= capacity) return false;
        _actors.Add(client);
        var system = client.Path.Address;
        var count = _perSystem.GetValueOrDefault(system) + 1;
        _perSystem[system] = count;
        if (count == 1) _systems = _systems.Add(system);
        return true;
    }

    /// <summary>Forgets <paramref name="client"/>; false if it was not connected.</summary>
    public bool Remove(IActorRef client)
    {
        if (!_actors.Remove(client)) return false;
        var system = client.Path.Address;
        // Another client actor of the same system keeps it connected.
        if (--_perSystem[system] > 0) return true;
        _perSystem.Remove(system);
        _systems = _systems.Remove(system);
        return true;
    }

    /// <summary>Whether a client of the system at <paramref name="system"/> is connected (any thread).</summary>
    public bool Contains(Address system) => _systems.Contains(system);
}
