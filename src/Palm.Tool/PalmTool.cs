using System.CommandLine;
using Palm.Hosting;

namespace Palm.Tool;

/// <summary>
/// The <c>palm</c> command line: its commands, and the one place a parse error or a failure becomes a line on
/// standard error and one of <see cref="PalmExitCodes"/> (2 for a usage mistake, as a node program's).
/// </summary>
internal static class PalmTool
{
    /// <summary>The root command with every subcommand.</summary>
    public static RootCommand Build()
    {
        var root = new RootCommand("palm: see a Palm cluster's status, evaluate and run jobs on it, and make its TLS certificates.");
        root.Subcommands.Add(EvalCommand.Build());
        root.Subcommands.Add(JobCommand.Build());
        root.Subcommands.Add(StatusCommand.Build());
        root.Subcommands.Add(CertsCommand.Build());
        return root;
    }

    /// <summary>Parses <paramref name="args"/> and runs the command; returns the process exit code.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var result = Build().Parse(args);
        if (result.Errors.Count > 0)
        {
            // System.CommandLine would answer 1, the code of a failure; a mistake in the command line is a usage mistake.
            foreach (var error in result.Errors) Console.Error.WriteLine($"palm: {error.Message}");
            Console.Error.WriteLine($"palm: see {string.Join(' ', CommandPath(result))} --help");
            return PalmExitCodes.Configuration;
        }

        // The first Ctrl+C cancels the command, which says what it leaves undone; a second one ends the process at once.
        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            if (cancel.IsCancellationRequested) return;
            e.Cancel = true;
            cancel.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            return await result.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false }, cancel.Token);
        }
        catch (Exception e)
        {
            return PalmExitCodes.Report(e, Console.Error);
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    private static IEnumerable<string> CommandPath(ParseResult result)
    {
        var names = new List<string>();
        for (var r = result.CommandResult; r is not null; r = r.Parent as System.CommandLine.Parsing.CommandResult)
            names.Insert(0, r.Command is RootCommand ? "palm" : r.Command.Name);
        return names;
    }
}
