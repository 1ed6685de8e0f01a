using System.Collections.Immutable;
using Akka.Actor;

namespace Palm.Cluster.Internal;

/// <summary>
/// The clients connected to one node: client actors that subscribed to its directory or said
/// <see cref="ClientHello"/>, until they unsubscribe or stop. With the members of the cluster, their
/// systems are the ones the node's lane hands a secret to. At most <paramref name="capacity"/> at once
/// (<c>palm.node.max-directory-subscribers</c>). Changed by the node actor only; read from any thread.
/// </summary>
internal sealed class ConnectedClients(int capacity)
{
    private readonly Dictionary<IActorRef, Address> _byActor = new();
    // Client actors per system: a system stays connected while it has one (a count, so removal is O(1)).
    private readonly Dictionary<Address, int> _perSystem = new();
    private volatile ImmutableHashSet<Address> _systems = ImmutableHashSet<Address>.Empty;

    /// <summary>Adds <paramref name="client"/> (a remote actor); false when the node already holds as many clients as it may.</summary>
    public bool Add(IActorRef client)
    {
        if (_byActor.ContainsKey(client)) return true;
        if (_byActor.Count >= capacity) return false;
        var system = client.Path.Address;
        _byActor[client] = system;
        _perSystem[system] = _perSystem.GetValueOrDefault(system) + 1;
        if (_perSystem[system] == 1) _systems = _systems.Add(system);
        return true;
    }

    /// <summary>Forgets <paramref name="client"/>; false if it was not connected.</summary>
    public bool Remove(IActorRef client)
    {
        if (!_byActor.Remove(client, out var system)) return false;
        // Another client actor of the same system keeps it connected.
        if (--_perSystem[system] > 0) return true;
        _perSystem.Remove(system);
        _systems = _systems.Remove(system);
        return true;
    }

    /// <summary>Whether a client of the system at <paramref name="system"/> is connected (any thread).</summary>
    public bool Contains(Address system) => _systems.Contains(system);
}
