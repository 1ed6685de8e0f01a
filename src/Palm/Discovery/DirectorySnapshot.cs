using Akka.Actor;
using Palm.Servers;

namespace Palm.Discovery;

/// <summary>An immutable name → server map; replaced whole on every membership change.</summary>
internal sealed class DirectorySnapshot
{
    public static readonly DirectorySnapshot Empty = new([]);

    private readonly Dictionary<string, ServerEntry> _servers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<ServerEntry>> _workers = new(StringComparer.Ordinal);

    public DirectorySnapshot(IEnumerable<ServerEntry> entries)
    {
        All = entries.ToArray();
        // Entries come in priority order (a node lists the oldest member's first): if two nodes claim
        // one name, the first claim wins, the same one on every node and client.
        foreach (var e in All)
        {
            if (e.Role == ServerRole.Worker)
            {
                if (!_workers.TryGetValue(e.Name, out var list)) _workers[e.Name] = list = [];
                list.Add(e);
            }
            else
            {
                _servers.TryAdd(e.Name, e);
            }
        }
    }

    public ServerEntry[] All { get; }

    public IEnumerable<ServerEntry> Servers => _servers.Values;

    /// <summary>The entry point of server <paramref name="name"/>: its leader, or the server itself when it runs alone.</summary>
    public bool TryGet(string name, out ServerEntry entry) => _servers.TryGetValue(name, out entry!);

    /// <summary>The leader of parallel server <paramref name="name"/>; null while none is listed (or the name runs alone).</summary>
    public IActorRef? LeaderOf(string name) => TryGet(name, out var entry) ? LeaderIn(entry) : null;

    /// <summary>The server of <paramref name="entry"/> if it is a leader, else null.</summary>
    public static IActorRef? LeaderIn(ServerEntry entry) => entry.Role == ServerRole.Leader ? entry.Server : null;

    public IReadOnlyList<ServerEntry> WorkersOf(string name) => _workers.TryGetValue(name, out var list) ? list : [];
}
