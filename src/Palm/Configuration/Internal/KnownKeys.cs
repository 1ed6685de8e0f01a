using Akka.Configuration;
using Akka.Configuration.Hocon;

namespace Palm.Configuration.Internal;

/// <summary>
/// Refuses keys nobody reads: a key under <c>palm</c> that Palm's reference.conf does not have, and a key under
/// <c>akka.cluster</c> or <c>akka.remote.dot-netty.tcp</c> that Akka's own defaults do not have. HOCON takes any key,
/// so a typo (<c>palm.tls.enable</c>, <c>akka.cluster.seed-node</c>) otherwise leaves the default in force without a word:
/// a node without TLS, a node that founds a cluster of its own.
/// </summary>
internal static class KnownKeys
{
    /// <summary>One checked section: the keys its owner's defaults have, and where any key goes.</summary>
    /// <param name="Root">The section, e.g. <c>palm</c>.</param>
    /// <param name="Owner">Whose settings these are, for the message.</param>
    /// <param name="Leaves">Every key with a default, in full.</param>
    /// <param name="Open">Sections whose inner keys are the user's own (an empty object in the defaults, or a dispatcher),
    /// each with the keys allowed inside each of its entries, or null for any key.</param>
    private sealed record Scope(string Root, string Owner, IReadOnlySet<string> Leaves, IReadOnlyDictionary<string, string[]?> Open);

    private static readonly Lazy<Scope[]> Scopes = new(() =>
    [
        Build("palm", "Palm", PalmConfig.Reference, new Dictionary<string, string[]?>
        {
            // Per-server windows: palm.reduce.servers.NAME { window-messages, window-time } (ReduceSettings).
            ["palm.reduce.servers"] = ["window-messages", "window-time"],
            // An Akka dispatcher: Akka reads and checks its keys (throughput, executor settings...).
            ["palm.server-dispatcher"] = null,
        }),
        Build("akka.cluster", "Akka.Cluster", ConfigurationFactory.FromResource<Akka.Cluster.Cluster>("Akka.Cluster.Configuration.Cluster.conf"),
            // Sections of Akka's other cluster modules (sharding, tools, distributed data, metrics), which Palm does not load.
            new Dictionary<string, string[]?>
            {
                ["akka.cluster.sharding"] = null, ["akka.cluster.singleton"] = null, ["akka.cluster.singleton-proxy"] = null,
                ["akka.cluster.pub-sub"] = null, ["akka.cluster.client"] = null, ["akka.cluster.distributed-data"] = null,
                ["akka.cluster.metrics"] = null,
            }),
        Build("akka.remote.dot-netty.tcp", "Akka.Remote", ConfigurationFactory.FromResource<Akka.Remote.RemoteSettings>("Akka.Remote.Configuration.Remote.conf"),
            new Dictionary<string, string[]?>()),
    ]);

    /// <summary>Throws a <see cref="ConfigurationException"/> naming the first unknown key of <paramref name="config"/> and the nearest known one.</summary>
    public static void Check(Config config)
    {
        foreach (var scope in Scopes.Value)
        {
            if (!config.HasPath(scope.Root)) continue;
            foreach (var key in Keys(config.GetValue(scope.Root), scope.Root, skipEmpty: true))
                if (Unknown(scope, key) is { } error) throw new ConfigurationException(error);
        }
    }

    /// <summary>Why <paramref name="key"/> is not a setting of <paramref name="scope"/>, or null if it is one.</summary>
    private static string? Unknown(Scope scope, string key)
    {
        if (scope.Leaves.Contains(key)) return null;
        foreach (var (section, inner) in scope.Open)
        {
            if (!key.StartsWith(section + ".", StringComparison.Ordinal)) continue;
            if (inner is null) return null;
            var rest = key[(section.Length + 1)..];
            var dot = rest.LastIndexOf('.');
            if (dot > 0 && inner.Contains(rest[(dot + 1)..])) return null;
            var entry = dot > 0 ? $"{section}.{rest[..dot]}" : $"{section}.NAME";
            return Message(scope, key, inner.Select(k => $"{entry}.{k}").ToArray());
        }
        return Message(scope, key, scope.Leaves.Concat(scope.Open.Keys).ToArray());
    }

    private static string Message(Scope scope, string key, string[] known)
    {
        var what = $"{key} is not {(scope.Owner == "Palm" ? "a" : "an")} {scope.Owner} setting";
        if (NearestName.Of(key, known) is { } nearest) return $"{what}; did you mean {nearest}?";
        // Nothing close: list what the nearest existing section holds.
        var parent = key;
        string[] siblings;
        do
        {
            var dot = parent.LastIndexOf('.');
            parent = dot > 0 ? parent[..dot] : scope.Root;
            var prefix = parent + ".";
            siblings = known.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).Select(k => k[prefix.Length..]).Order().ToArray();
        }
        while (siblings.Length == 0 && parent != scope.Root);
        return $"{what}; {parent} has {string.Join(", ", siblings)}.";
    }

    private static Scope Build(string root, string owner, Config defaults, Dictionary<string, string[]?> open)
    {
        var leaves = new HashSet<string>(StringComparer.Ordinal);
        foreach (var key in Keys(defaults.GetValue(root), root, skipEmpty: false))
        {
            // An empty object in the defaults is a section of names the user chooses (akka.cluster.role.NAME, palm.reduce.servers.NAME).
            if (defaults.GetValue(key) is { } value && value.IsObject()) open.TryAdd(key, null);
            else leaves.Add(key);
        }
        foreach (var section in open.Keys) leaves.Remove(section);
        return new Scope(root, owner, leaves, open);
    }

    /// <summary>The full keys of every leaf under <paramref name="value"/> (and of empty objects, unless <paramref name="skipEmpty"/>).</summary>
    private static IEnumerable<string> Keys(HoconValue? value, string path, bool skipEmpty)
    {
        if (value is null || !value.IsObject())
        {
            yield return path;
            yield break;
        }
        var items = value.GetObject().Items;
        if (items.Count == 0 && !skipEmpty) yield return path;
        foreach (var (name, inner) in items)
            foreach (var key in Keys(inner, $"{path}.{name}", skipEmpty))
                yield return key;
    }
}
