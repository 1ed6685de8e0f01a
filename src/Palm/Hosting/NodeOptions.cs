using Akka.Configuration;
using Palm.Configuration;
using Palm.Configuration.Internal;
using Palm.Servers;

namespace Palm.Hosting;

/// <summary>
/// How to start a node: from the command line (<see cref="Parse"/>) or in code. The flags, the environment variables that
/// stand for flags not given, and which wins: <see cref="HelpText"/>.
/// </summary>
public sealed record NodeOptions
{
    /// <summary>Address to bind and advertise; null keeps the HOCON value (127.0.0.1 by default).</summary>
    public string? Host { get; init; }

    /// <summary>Port to bind; 0 lets the OS pick; null keeps the HOCON value.</summary>
    public int? Port { get; init; }

    /// <summary>Port of the data lane (<c>palm.lane.port</c>); 0 lets the OS pick; null keeps the HOCON value. Fixed where a firewall rule names it.</summary>
    public int? LanePort { get; init; }

    /// <summary>Seed node addresses; empty keeps the HOCON seeds (and with none, the node founds a cluster of its own).</summary>
    public IReadOnlyList<string> Seeds { get; init; } = [];

    /// <summary>A HOCON file whose keys override Palm's defaults.</summary>
    public string? ConfigFile { get; init; }

    /// <summary>Extra HOCON, over the file.</summary>
    public Config? Config { get; init; }

    /// <summary>The part a parallel server's instance plays on this node.</summary>
    public ServerRole Role { get; init; } = ServerRole.Standalone;

    /// <summary><c>--help</c> (or <c>-h</c>) was given: the program prints <see cref="HelpText"/> and exits 0 instead of starting (as <see cref="PalmHost"/> does).</summary>
    public bool Help { get; init; }

    /// <summary>The positional arguments (those that are not flags nor flag values), in order, for the program's own use.</summary>
    public IReadOnlyList<string> Rest { get; init; } = [];

    /// <summary>The values of the program's own flags (those given to <see cref="Parse"/>), by flag.</summary>
    public IReadOnlyDictionary<string, string> ProgramFlags { get; init; } = new Dictionary<string, string>();

    /// <summary>The node flags <see cref="Parse"/> reads.</summary>
    public static IReadOnlyList<string> Flags { get; } = ["--host", "--port", "--lane-port", "--seed", "--config", "--role", "--help"];

    /// <summary>The usage text of the flags.</summary>
    public const string Usage =
        "--host <address> --port <port> --lane-port <port> --seed <akka.tcp://palm@host:port> (repeatable) --config <file.conf> --role <standalone|leader|worker> --help";

    /// <summary>What <c>--help</c> prints: every node flag, its environment variable and HOCON key, and which wins.</summary>
    public const string HelpText = """
        Node flags (each also as --flag=value):
          --host <address>         address to bind and advertise            env PALM_HOST       akka.remote.dot-netty.tcp.hostname
          --port <port>            Akka.Remote port (0: the OS picks)       env PALM_PORT       akka.remote.dot-netty.tcp.port
          --lane-port <port>       data lane port (0: the OS picks)         env PALM_LANE_PORT  palm.lane.port
          --seed <address>         a seed node, e.g. akka.tcp://palm@10.0.0.1:4053; repeatable
                                                                            env PALM_SEEDS      akka.cluster.seed-nodes
                                                                            (comma-separated)
          --config <file.conf>     HOCON over Palm's defaults
          --role <role>            standalone, leader or worker (a parallel server's part)
          --help, -h               this text
        A flag wins over its environment variable, which wins over HOCON files. Exit codes: 0 stopped cleanly,
        1 failure, 2 usage or configuration mistake, 3 port unavailable, 4 cluster unreachable, 130 cancelled.
        """;

    /// <summary>The environment variables <see cref="Parse"/> reads, each standing for a flag that was not given.</summary>
    public static IReadOnlyList<string> EnvironmentVariables { get; } = ["PALM_HOST", "PALM_PORT", "PALM_LANE_PORT", "PALM_SEEDS"];

    /// <summary>
    /// Reads the node flags of <paramref name="args"/>, as <c>--flag value</c> or <c>--flag=value</c>, and the program's own
    /// <paramref name="programFlags"/> (each with one value, e.g. <c>--count</c>; their values go to <see cref="ProgramFlags"/>).
    /// Arguments that are not flags go to <see cref="Rest"/>. Any other flag stops the program: a mistyped <c>--sead</c>
    /// left aside would make a node found a cluster of its own. A node flag not given is read from its environment variable
    /// (<see cref="EnvironmentVariables"/>), if set and not empty. <c>--help</c> stops the reading: the result only says <see cref="Help"/>.
    /// </summary>
    /// <param name="args">The command line.</param>
    /// <param name="programFlags">The program's own flags.</param>
    /// <param name="environment">The environment variables to read; null: the process's.</param>
    /// <exception cref="ArgumentException">A flag lacks its value, has a bad one, is given twice (a program flag), or is
    /// neither a node flag nor one of <paramref name="programFlags"/> (the message names the nearest flag and lists them all);
    /// or an environment variable has a bad value (the message names it).</exception>
    public static NodeOptions Parse(IReadOnlyList<string> args, IReadOnlyCollection<string>? programFlags = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        programFlags ??= [];
        string? host = null, configFile = null;
        int? port = null, lanePort = null;
        var role = ServerRole.Standalone;
        var seeds = new List<string>();
        var rest = new List<string>();
        var own = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var (flag, inline) = Split(args[i]);
            string Value() => inline ?? (i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{flag} needs a value. Usage: {Usage}"));
            switch (flag)
            {
                case "--help" or "-h": return new NodeOptions { Help = true };
                case "--host": host = Value(); break;
                case "--port": port = PortNumber("--port", Value()); break;
                case "--lane-port": lanePort = PortNumber("--lane-port", Value()); break;
                case "--seed": seeds.Add(Value()); break;
                case "--config":
                    configFile = Value();
                    if (!File.Exists(configFile))
                        throw new ArgumentException($"--config: no file at '{configFile}' (resolved against {Directory.GetCurrentDirectory()}).");
                    break;
                case "--role":
                    var text = Value();
                    role = Enum.TryParse<ServerRole>(text, ignoreCase: true, out var r) && Enum.IsDefined(r)
                        ? r
                        : throw new ArgumentException($"--role '{text}' must be standalone, leader or worker.");
                    break;
                case not null when programFlags.Contains(flag):
                    if (!own.TryAdd(flag, Value())) throw new ArgumentException($"{flag} is given twice.");
                    break;
                case not null:
                    throw new ArgumentException(UnknownFlag(flag, programFlags));
                default: rest.Add(args[i]); break;
            }
        }
        foreach (var seed in seeds) CheckSeed("--seed", seed);
        var options = new NodeOptions
        {
            Host = host, Port = port, LanePort = lanePort, Seeds = seeds, ConfigFile = configFile, Role = role, Rest = rest, ProgramFlags = own,
        };
        return FromEnvironment(options, environment);
    }

    /// <summary>Fills what the flags left unset from the environment variables, checked as the flags are.</summary>
    private static NodeOptions FromEnvironment(NodeOptions options, IReadOnlyDictionary<string, string>? environment)
    {
        string? Variable(string name)
        {
            var value = environment is null ? Environment.GetEnvironmentVariable(name) : environment.GetValueOrDefault(name);
            return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
        }

        if (options.Host is null && Variable("PALM_HOST") is { } host) options = options with { Host = host };
        if (options.Port is null && Variable("PALM_PORT") is { } port) options = options with { Port = PortNumber("PALM_PORT", port) };
        if (options.LanePort is null && Variable("PALM_LANE_PORT") is { } lanePort) options = options with { LanePort = PortNumber("PALM_LANE_PORT", lanePort) };
        if (options.Seeds.Count == 0 && Variable("PALM_SEEDS") is { } list)
        {
            var seeds = list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            foreach (var seed in seeds) CheckSeed("PALM_SEEDS", seed);
            options = options with { Seeds = seeds };
        }
        return options;
    }

    private static int PortNumber(string source, string text) =>
        int.TryParse(text, out var p) && p is >= 0 and <= 65535 ? p : throw new ArgumentException($"{source} '{text}' is not a port number (0-65535).");

    private static void CheckSeed(string source, string seed)
    {
        if (!(seed.StartsWith("akka.tcp://", StringComparison.Ordinal) || seed.StartsWith("akka.ssl.tcp://", StringComparison.Ordinal)) || !seed.Contains('@'))
            throw new ArgumentException($"{source} '{seed}' is not an address like akka.tcp://palm@127.0.0.1:4053 (akka.ssl.tcp://... with palm.tls on).");
    }

    /// <summary>The flag of an argument and its value if given as <c>--flag=value</c>; no flag for a positional argument.</summary>
    private static (string? Flag, string? Value) Split(string arg)
    {
        // "-5" is a number, not a flag.
        var isFlag = arg.Length > 1 && arg[0] == '-' && !char.IsAsciiDigit(arg[1]);
        if (!isFlag) return (null, null);
        var equals = arg.IndexOf('=');
        return equals > 0 ? (arg[..equals], arg[(equals + 1)..]) : (arg, null);
    }

    private static string UnknownFlag(string flag, IReadOnlyCollection<string> programFlags)
    {
        var known = Flags.Concat(programFlags).ToArray();
        var nearest = NearestName.Of(flag, known);
        return $"{flag} is not a flag of this program{(nearest is null ? "." : $"; did you mean {nearest}?")} The flags are {string.Join(", ", known)}.";
    }

    /// <summary>The whole configuration of the node: flags (and environment variables) over extra HOCON over the file over Palm's defaults.</summary>
    /// <exception cref="ConfigurationException">The file is malformed HOCON (the message names it and the line).</exception>
    public Config ToConfig()
    {
        var overrides = new List<string>();
        if (Host is not null) overrides.Add($"akka.remote.dot-netty.tcp.hostname = \"{Host}\"");
        if (Port is not null) overrides.Add($"akka.remote.dot-netty.tcp.port = {Port}");
        if (LanePort is not null) overrides.Add($"palm.lane.port = {LanePort}");
        if (Seeds.Count > 0) overrides.Add($"akka.cluster.seed-nodes = [{string.Join(", ", Seeds.Select(s => $"\"{s}\""))}]");
        var config = ConfigurationFactory.ParseString(string.Join("\n", overrides));
        if (Config is not null) config = config.WithFallback(Config);
        if (ConfigFile is not null) config = config.WithFallback(PalmConfig.ParseFile(ConfigFile));
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
