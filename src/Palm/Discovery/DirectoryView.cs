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

    public bool TryGet(string name, out ServerEntry entry) => _servers.TryGetValue(name, out entry!);

    public IReadOnlyList<ServerEntry> WorkersOf(string name) => _workers.TryGetValue(name, out var list) ? list : [];
}

/// <summary>The node's current directory, written by the node actor and read lock-free by every server actor.</summary>
internal sealed class DirectoryView
{
    private volatile DirectorySnapshot _current = DirectorySnapshot.Empty;

    public DirectorySnapshot Current
    {
        get => _current;
        set => _current = value;
    }

    /// <summary>Waits until every server in <paramref name="names"/> is listed (and, when asked, has enough workers).</summary>
    /// <exception cref="TimeoutException">Some are still missing after <paramref name="timeout"/>.</exception>
    public async Task WaitForAsync(IEnumerable<string> names, TimeSpan timeout, string where, int minWorkers = 0)
    {
        var wanted = names.ToArray();
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var current = Current;
            var missing = wanted.Where(n => !current.TryGet(n, out _) || current.WorkersOf(n).Count < minWorkers).ToArray();
            if (missing.Length == 0) return;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Servers missing from the directory of {where} after {timeout}: {string.Join(", ", missing)}"
                    + (minWorkers > 0 ? $" (each needs {minWorkers} workers)." : "."));
            // Membership changes take milliseconds to seconds; polling a volatile field is cheap and keeps this free of subscriptions.
            await Task.Delay(20);
        }
    }
}
