using System.CommandLine;
using Palm.Client;
using Palm.Hosting;
using Palm.Messages;

namespace Palm.Tool;

/// <summary>The ROUTE argument of <c>eval</c> and <c>job</c>, and what a bad one prints.</summary>
internal static class Routes
{
    /// <summary>The route's steps, each <c>server.function</c>: as separate words, or comma-separated (<c>a.parse,b.price</c>).</summary>
    public static Argument<string[]> Argument() => new("route")
    {
        Description = "The steps, each server.function, as separate words or comma-separated (a.parse,b.price)",
        Arity = ArgumentArity.OneOrMore,
    };

    /// <summary>The steps of the words given.</summary>
    public static string[] Steps(IEnumerable<string> words) =>
        words.SelectMany(w => w.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).ToArray();

    /// <summary>
    /// A route the cluster cannot run: its line (which names the step), then the servers the cluster has, so the
    /// next try can be right; <see cref="PalmExitCodes.Configuration"/>.
    /// </summary>
    public static int Refused(PalmRouteException e, PalmClient client, TextWriter error)
    {
        var code = PalmExitCodes.Report(e, error);
        var servers = client.Servers;
        error.WriteLine(servers.Count == 0
            ? "palm: the cluster has no servers yet."
            : $"palm: the cluster's servers: {string.Join(", ", servers)} (a step is server.function; every server has echo).");
        return code;
    }
}
