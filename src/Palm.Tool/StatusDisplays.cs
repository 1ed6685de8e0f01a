using Palm.Client;
using Palm.Hosting;
using Spectre.Console;

namespace Palm.Tool;

/// <summary>Where <c>palm status</c> shows the status: once, or again every interval until cancelled.</summary>
internal interface IStatusDisplay
{
    /// <summary>Shows one status.</summary>
    void Show(ClusterStatus status);

    /// <summary>
    /// Takes and shows the status every <paramref name="interval"/> until <paramref name="cancellationToken"/> is
    /// cancelled (Ctrl+C); returns the exit code of the last status shown (<see cref="StatusView.ExitCode"/>), or
    /// <see cref="PalmExitCodes.Cancelled"/> when cancelled before the first.
    /// </summary>
    Task<int> WatchAsync(Func<CancellationToken, Task<ClusterStatus>> take, TimeSpan interval, CancellationToken cancellationToken);
}

/// <summary>Picks the display: JSON, a table redrawn in place on a terminal, or plain tables without one (a log, a pipe, cron).</summary>
internal static class StatusDisplays
{
    /// <summary>Wide enough that a table written to a file or a pipe keeps its rows on one line each.</summary>
    private const int PlainWidth = 240;

    /// <summary>The display for standard output.</summary>
    public static IStatusDisplay ForStandardOutput(bool json, bool watch)
    {
        if (json) return new JsonStatus(Console.Out, indented: !watch);
        var terminal = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
        return terminal.Profile.Capabilities.Interactive && !Console.IsOutputRedirected
            ? new TableStatus(terminal, live: true)
            : new TableStatus(Plain(Console.Out), live: false);
    }

    /// <summary>A console writing to <paramref name="writer"/> without colours, escape codes or a width of its own.</summary>
    public static IAnsiConsole Plain(TextWriter writer)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = PlainWidth;
        return console;
    }

    /// <summary>The loop of every <c>--watch</c>: take, show, wait, until cancelled; the code of the last status shown.</summary>
    internal static async Task<int> Repeat(Func<CancellationToken, Task<ClusterStatus>> take, Action<ClusterStatus> show, TimeSpan interval,
        CancellationToken cancellationToken)
    {
        int? code = null;
        try
        {
            while (true)
            {
                var status = await take(cancellationToken);
                show(status);
                code = StatusView.ExitCode(status);
                await Task.Delay(interval, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl+C is how a watch ends: the verdict is the last one shown.
        }
        return code ?? PalmExitCodes.Cancelled;
    }
}

/// <summary>The status as JSON on <paramref name="writer"/>: indented once, or one document a line per refresh (JSON Lines).</summary>
internal sealed class JsonStatus(TextWriter writer, bool indented) : IStatusDisplay
{
    public void Show(ClusterStatus status)
    {
        writer.WriteLine(StatusView.ToJson(status, indented));
        writer.Flush();
    }

    public Task<int> WatchAsync(Func<CancellationToken, Task<ClusterStatus>> take, TimeSpan interval, CancellationToken cancellationToken) =>
        StatusDisplays.Repeat(take, Show, interval, cancellationToken);
}

/// <summary>The status as tables on <paramref name="console"/>; with <paramref name="live"/>, a watch redraws them in place.</summary>
internal sealed class TableStatus(IAnsiConsole console, bool live) : IStatusDisplay
{
    public void Show(ClusterStatus status) => console.Write(StatusView.Render(status));

    public async Task<int> WatchAsync(Func<CancellationToken, Task<ClusterStatus>> take, TimeSpan interval, CancellationToken cancellationToken)
    {
        if (!live)
        {
            // A snapshot per interval, a blank line between: each one is dated by its header.
            var first = true;
            return await StatusDisplays.Repeat(take, status =>
            {
                if (!first) console.WriteLine();
                first = false;
                Show(status);
            }, interval, cancellationToken);
        }
        var code = PalmExitCodes.Cancelled;
        await console.Live(new Text("palm: taking the status..."))
            .AutoClear(false)
            .Overflow(VerticalOverflow.Ellipsis)
            .Cropping(VerticalOverflowCropping.Bottom)
            .StartAsync(async context => code = await StatusDisplays.Repeat(take, status =>
            {
                context.UpdateTarget(StatusView.Render(status));
                context.Refresh();
            }, interval, cancellationToken));
        return code;
    }
}
