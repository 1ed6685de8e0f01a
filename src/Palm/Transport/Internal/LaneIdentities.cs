using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using Akka.Actor;

namespace Palm.Transport.Internal;

/// <summary>
/// The secrets this system's lane actor handed out, each bound to the system that asked: a lane connection speaks for the one
/// system whose secret it presents, whatever its frames claim. Thread-safe (docs/internals.md#laneidentities).
/// </summary>
internal sealed class LaneIdentities(int capacity = LaneIdentities.DefaultCapacity)
{
    public const int DefaultCapacity = 10_000;

    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, LinkedListNode<(Guid Secret, Address Address)>> _bySecret = [];
    private readonly Dictionary<Address, LinkedListNode<(Guid Secret, Address Address)>> _byAddress = [];
    // Oldest issue first: what is evicted when the map is full.
    private readonly LinkedList<(Guid Secret, Address Address)> _order = new();

    /// <summary>The most systems remembered at once.</summary>
    public int Capacity { get; } = capacity > 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity));

    /// <summary>Systems that hold a secret now.</summary>
    public int Count
    {
        get
        {
            lock (_gate) return _order.Count;
        }
    }

    /// <summary>
    /// The secret of the system at <paramref name="address"/>: the one it was given before, if it is
    /// still remembered, otherwise a fresh random one (forgetting the oldest system when full).
    /// </summary>
    public Guid Issue(Address address)
    {
        lock (_gate)
        {
            if (_byAddress.TryGetValue(address, out var known))
            {
                // Asked again: it is in use, so it is evicted last.
                _order.Remove(known);
                _order.AddLast(known);
                return known.Value.Secret;
            }
            if (_order.Count >= Capacity)
            {
                var oldest = _order.First!;
                _order.RemoveFirst();
                _bySecret.Remove(oldest.Value.Secret);
                _byAddress.Remove(oldest.Value.Address);
            }
            Guid secret;
            do secret = new Guid(RandomNumberGenerator.GetBytes(16));
            while (secret == Guid.Empty || _bySecret.ContainsKey(secret));
            var node = _order.AddLast((secret, address));
            _bySecret[secret] = node;
            _byAddress[address] = node;
            return secret;
        }
    }

    /// <summary>The system <paramref name="secret"/> was handed to; false for a secret this system never issued (or forgot).</summary>
    public bool TryResolve(Guid secret, [MaybeNullWhen(false)] out Address address)
    {
        lock (_gate)
        {
            if (secret != Guid.Empty && _bySecret.TryGetValue(secret, out var node))
            {
                address = node.Value.Address;
                return true;
            }
        }
        address = null;
        return false;
    }
}
