using System.CommandLine;
using System.CommandLine.Parsing;
using Akka.Configuration;
using Palm.Client;
using Palm.Hosting;
using Spectre.Console;

namespace Palm.Tool;

/// <summary>
/// <c>palm status</c>: every node and server of the cluster as tables (or JSON), and a health check's exit code:
/// 0 when <see cref="ClusterStatus.Healthy"/>, 1 when not. <c>--watch</c> refreshes until Ctrl+C.
/// </summary>
internal static class StatusCommand
{
    public static Command Build()
    {
        var json = new Option<bool>("--json") { Description = "Print the status as JSON (with --watch: one document a line)" };
        var watch = new Option<bool>("--watch")
        {
            Description = "Refresh every --interval until Ctrl+C: in place on a terminal, a snapshot per interval otherwise; "
                + "exits with the last refresh's code",
        };
        var interval = Duration("--interval", "Time between refreshes of --watch, e.g. 2s, 500ms, 1m", TimeSpan.FromSeconds(2));
        var timeout = Duration("--timeout", "How long nodes and servers have to answer (default palm.client.status-timeout, 5s)", null);
        var cluster = new ClusterOptions();
        var command = new Command("status", "Show every node and server of the cluster; exit 1 when one is not well (a health check).")
            { json, watch, interval, timeout };
        cluster.AddTo(command);
        command.SetAction((parse, cancellationToken) => cluster.RunAsync(parse, client =>
        {
            var bound = parse.GetValue(timeout);
            var display = StatusDisplays.ForStandardOutput(parse.GetValue(json), parse.GetValue(watch));
            Func<CancellationToken, Task<ClusterStatus>> take = bound is { } b ? t => client.GetStatusAsync(b, t) : client.GetStatusAsync;
            return parse.GetValue(watch)
                ? display.WatchAsync(take, parse.GetValue(interval) ?? TimeSpan.FromSeconds(2), cancellationToken)
                : Once(display, take, cancellationToken);
        }, cancellationToken));
        return command;
    }

    private static async Task<int> Once(IStatusDisplay display, Func<CancellationToken, Task<ClusterStatus>> take, CancellationToken cancellationToken)
    {
        var status = await take(cancellationToken);
        display.Show(status);
        return StatusView.ExitCode(status);
    }

    /// <summary>An option taking a HOCON duration (<c>2s</c>, <c>500ms</c>, <c>1m</c>), read as Palm's settings are; above zero.</summary>
    private static Option<TimeSpan?> Duration(string name, string description, TimeSpan? fallback)
    {
        var option = new Option<TimeSpan?>(name) { Description = description, HelpName = "duration", CustomParser = Parse };
        if (fallback is { } value) option.DefaultValueFactory = _ => value;
        return option;

        TimeSpan? Parse(ArgumentResult result)
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            try
            {
                var quoted = "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
                var time = ConfigurationFactory.ParseString("d = " + quoted).GetTimeSpan("d");
                if (time > TimeSpan.Zero) return time;
            }
            catch (Exception e) when (e is ConfigurationException or FormatException or OverflowException)
            {
                // Reported below, as a value that is not a duration.
            }
            result.AddError($"{name} '{text}' is not a duration above zero (e.g. 2s, 500ms, 1m).");
            return null;
        }
    }
}
