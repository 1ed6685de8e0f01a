using System.CommandLine;
using Akka.Configuration;
using Palm.Client;
using Palm.Configuration;
using Palm.Hosting;

namespace Palm.Tool;

/// <summary>
/// How a command reaches a cluster: <c>--seed</c> (any node, repeatable: tried in order), else <c>palm.client.contact-points</c>
/// of <c>--config</c>, else the environment variable <c>PALM_SEEDS</c> (comma-separated), as a node program reads it.
/// <c>--config</c> is the client's HOCON (its <c>palm.tls</c> certificate, timeouts, window).
/// </summary>
internal sealed class ClusterOptions
{
    public Option<string[]> Seeds { get; } = new("--seed")
    {
        Description = "Address of any node of the cluster, e.g. akka.tcp://palm@10.0.0.1:4053 (repeatable: tried in order; "
            + "default: palm.client.contact-points of --config, or PALM_SEEDS)",
        Arity = ArgumentArity.ZeroOrMore,
        HelpName = "address",
    };

    public Option<string?> Config { get; } = new("--config")
    {
        Description = "HOCON file for the client (palm.tls, palm.client.*)",
        HelpName = "file.conf",
    };

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(Seeds);
        command.Options.Add(Config);
    }

    /// <summary>
    /// Connects, runs <paramref name="work"/> with the client and returns its exit code; a failure to connect (or anything
    /// <paramref name="work"/> throws) is one line on standard error and its <see cref="PalmExitCodes"/> code (through
    /// <see cref="PalmClient.RunAsync(string?, Func{PalmClient, Task}, Config?, CancellationToken)"/>).
    /// </summary>
    public async Task<int> RunAsync(ParseResult parse, Func<PalmClient, Task<int>> work, CancellationToken cancellationToken)
    {
        Config config;
        try
        {
            config = ClientConfig(parse.GetValue(Seeds) ?? [], parse.GetValue(Config), Environment.GetEnvironmentVariable("PALM_SEEDS"));
        }
        catch (Exception e)
        {
            return PalmExitCodes.Report(e, Console.Error);
        }
        var code = PalmExitCodes.Ok;
        var connected = await PalmClient.RunAsync(null, async client => code = await work(client), config, cancellationToken);
        return connected != PalmExitCodes.Ok ? connected : code;
    }

    /// <summary>The client's HOCON: the file, with <c>palm.client.contact-points</c> set from the seeds (or the environment) when given.</summary>
    /// <exception cref="ArgumentException">No contact point anywhere.</exception>
    internal static Config ClientConfig(IReadOnlyList<string> seeds, string? file, string? environmentSeeds)
    {
        var config = file is null ? Akka.Configuration.Config.Empty : PalmConfig.ParseFile(file);
        IReadOnlyList<string> contacts = seeds.Count > 0 ? seeds : [.. config.GetStringList("palm.client.contact-points", [])];
        if (contacts.Count == 0 && !string.IsNullOrWhiteSpace(environmentSeeds))
            contacts = environmentSeeds.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (contacts.Count == 0)
            throw new ArgumentException("Which cluster? Give --seed akka.tcp://palm@HOST:PORT (any node), palm.client.contact-points in --config, or PALM_SEEDS.");
        var list = string.Join(", ", contacts.Select(Quoted));
        return ConfigurationFactory.ParseString($"palm.client.contact-points = [{list}]").WithFallback(config);
    }

    private static string Quoted(string text) => "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
