using Spectre.Console;
using Spectre.Console.Rendering;

namespace Palm.Tool;

/// <summary>Shows a running job's progress (<see cref="JobTally"/>) and its error lines until the job's task ends.</summary>
internal interface IProgressDisplay
{
    /// <summary>Shows <paramref name="tally"/> as <paramref name="title"/> until <paramref name="job"/> has ended (without throwing its failure).</summary>
    Task RunAsync(JobTally tally, Task job, string title);
}

/// <summary>Picks the display: a live bar on a terminal, plain lines otherwise (a log, a pipe, CI).</summary>
internal static class ProgressDisplays
{
    /// <summary>The display for standard error, where <c>palm job</c> reports (standard output may carry the results).</summary>
    public static IProgressDisplay ForStandardError()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        return console.Profile.Capabilities.Interactive && !Console.IsErrorRedirected
            ? new LiveProgress(console, TimeSpan.FromMilliseconds(100))
            : new PlainProgress(Console.Error, TimeSpan.FromSeconds(1));
    }
}

/// <summary>A Spectre.Console progress bar redrawn in place: done/total (or a moving bar when the total is unknown), rate, errors, ETA.</summary>
internal sealed class LiveProgress(IAnsiConsole console, TimeSpan refresh) : IProgressDisplay
{
    public async Task RunAsync(JobTally tally, Task job, string title)
    {
        var figures = new FiguresColumn();
        var progress = new Progress(console)
            .AutoRefresh(false)
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), figures);
        await progress.StartAsync(async context =>
        {
            var task = context.AddTask(Markup.Escape(title), autoStart: true, maxValue: tally.Total ?? 1);
            while (true)
            {
                // Read before drawing: the last frame is drawn after the job ended, with its final figures.
                var ended = job.IsCompleted;
                var now = tally.Snapshot();
                figures.Current = now;
                task.IsIndeterminate = now.Total is null && !now.Finished;
                task.MaxValue = Math.Max(1, now.Total ?? now.Done);
                task.Value = now.Done;
                foreach (var line in tally.TakeErrorLines()) console.WriteLine(line);
                context.Refresh();
                if (ended) break;
                await Task.WhenAny(job, Task.Delay(refresh));
            }
        });
    }

    /// <summary>The figures of <see cref="JobSnapshot.Describe"/> beside the bar.</summary>
    private sealed class FiguresColumn : ProgressColumn
    {
        public JobSnapshot Current { get; set; }

        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) => new Text(Current.Describe());
    }
}

/// <summary>Without a terminal: a line every <paramref name="every"/> while the job runs, and its error lines as they come.</summary>
internal sealed class PlainProgress(TextWriter writer, TimeSpan every) : IProgressDisplay
{
    public async Task RunAsync(JobTally tally, Task job, string title)
    {
        while (true)
        {
            foreach (var line in tally.TakeErrorLines()) writer.WriteLine(line);
            if (job.IsCompleted) break;
            await Task.WhenAny(job, Task.Delay(every));
            if (!job.IsCompleted) writer.WriteLine($"palm: {title}: {tally.Snapshot().Describe()}");
        }
    }
}
