using Akka.Configuration;
using Palm.Configuration;
using Palm.Servers;

namespace Palm.Hosting;

/// <summary>
/// How to start a node: from the command line (<see cref="Parse"/>) or in code. Flags:
/// <c>--host H</c>, <c>--port P</c>, <c>--seed akka.tcp://palm@H:P</c> (repeatable),
/// <c>--config file.conf</c>, <c>--role standalone|leader|worker</c>.
/// </summary>
public sealed record NodeOptions
{
    /// <summary>Address to bind and advertise; null keeps the HOCON value (127.0.0.1 by default).</summary>
    public string? Host { get; init; }

    /// <summary>Port to bind; 0 lets the OS pick; null keeps the HOCON value.</summary>
    public int? Port { get; init; }

    /// <summary>Seed node addresses; empty keeps the HOCON seeds (and with none, the node founds a cluster of its own).</summary>
    public IReadOnlyList<string> Seeds { get; init; } = [];

    /// <summary>A HOCON file whose keys override Palm's defaults.</summary>
    public string? ConfigFile { get; init; }

    /// <summary>Extra HOCON, over the file.</summary>
    public Config? Config { get; init; }

    /// <summary>The part a parallel server's instance plays on this node.</summary>
    public ServerRole Role { get; init; } = ServerRole.Standalone;

    /// <summary>Arguments that were not Palm flags, in order (for the program's own use).</summary>
    public IReadOnlyList<string> Rest { get; init; } = [];

    /// <summary>The usage text of the flags.</summary>
    public const string Usage =
        "--host <address> --port <port> --seed <akka.tcp://palm@host:port> (repeatable) --config <file.conf> --role <standalone|leader|worker>";

    /// <summary>Reads the flags of <paramref name="args"/>; other arguments go to <see cref="Rest"/>.</summary>
    /// <exception cref="ArgumentException">A flag lacks its value or has a bad one.</exception>
    public static NodeOptions Parse(IReadOnlyList<string> args)
    {
        var options = new NodeOptions();
        var seeds = new List<string>();
        var rest = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value. Usage: {Usage}");
            switch (args[i])
            {
                case "--host": options = options with { Host = Value() }; break;
                case "--port":
                    var port = Value();
                    options = options with
                    {
                        Port = int.TryParse(port, out var p) && p is >= 0 and <= 65535 ? p : throw new ArgumentException($"--port '{port}' is not a port number (0-65535).")
                    };
                    break;
                case "--seed": seeds.Add(Value()); break;
                case "--config":
                    var file = Value();
                    options = options with { ConfigFile = File.Exists(file) ? file : throw new ArgumentException($"--config: no file at '{file}'.") };
                    break;
                case "--role":
                    var role = Value();
                    options = options with
                    {
                        Role = Enum.TryParse<ServerRole>(role, ignoreCase: true, out var r) && Enum.IsDefined(r)
                            ? r
                            : throw new ArgumentException($"--role '{role}' must be standalone, leader or worker.")
                    };
                    break;
                default: rest.Add(args[i]); break;
            }
        }
        foreach (var seed in seeds)
            if (!(seed.StartsWith("akka.tcp://", StringComparison.Ordinal) || seed.StartsWith("akka.ssl.tcp://", StringComparison.Ordinal)) || !seed.Contains('@'))
                throw new ArgumentException($"--seed '{seed}' is not an address like akka.tcp://palm@127.0.0.1:4053 (akka.ssl.tcp://... with palm.tls on).");
        return options with { Seeds = seeds, Rest = rest };
    }

    /// <summary>The whole configuration of the node: flags over extra HOCON over the file over Palm's defaults.</summary>
    public Config ToConfig()
    {
        var overrides = new List<string>();
        if (Host is not null) overrides.Add($"akka.remote.dot-netty.tcp.hostname = \"{Host}\"");
        if (Port is not null) overrides.Add($"akka.remote.dot-netty.tcp.port = {Port}");
        if (Seeds.Count > 0) overrides.Add($"akka.cluster.seed-nodes = [{string.Join(", ", Seeds.Select(s => $"\"{s}\""))}]");
        var config = ConfigurationFactory.ParseString(string.Join("\n", overrides));
        if (Config is not null) config = config.WithFallback(Config);
        if (ConfigFile is not null) config = config.WithFallback(ConfigurationFactory.ParseString(File.ReadAllText(ConfigFile)));
        config = config.WithFallback(PalmConfig.ClusterNode);
        // Palm's downing (PalmDowningProvider) counts only core nodes in a split: workers come and go
        // in crowds, and their deaths must never make the nodes that hold entry points a minority.
        var roles = config.GetStringList("akka.cluster.roles").Where(r => r is not (CoreRole or WorkerRole))
            .Append(Role == ServerRole.Worker ? WorkerRole : CoreRole);
        return ConfigurationFactory.ParseString($"akka.cluster.roles = [{string.Join(", ", roles.Select(r => $"\"{r}\""))}]").WithFallback(config);
    }

    /// <summary>The cluster role of nodes that hold entry points (seeds, serial servers, leaders): Palm's downing counts these in a split.</summary>
    public const string CoreRole = "palm-core";

    /// <summary>The cluster role of nodes started as workers of a parallel server: never counted in a split, downed on their own when unreachable.</summary>
    public const string WorkerRole = "palm-worker";
}
