using Palm.Client;
using Palm.Messages;
using Palm.Tests.Support;
using Palm.Tool;
using Spectre.Console.Testing;
using Xunit;

namespace Palm.Tests.Tool;

/// <summary>The progress of <c>palm job</c>: its figures, the live bar on a terminal (Spectre's test console) and the plain lines without one.</summary>
public sealed class ProgressDisplayTests
{
    /// <summary>A tally of a 10-input job 4 seconds in: inputs 0-6 answered (input 2 twice), 3 of the results errors.</summary>
    private static JobTally SevenOfTen(TimeSpan? elapsed = null)
    {
        var tally = new JobTally(10, () => elapsed ?? TimeSpan.FromSeconds(4));
        for (var i = 0; i < 7; i++) tally.Result(Results.Make(i, error: i is 1 or 4));
        tally.Result(Results.Make(2, error: true));
        return tally;
    }

    [Fact]
    public void The_figures_read_done_of_total_rate_errors_and_the_time_left()
    {
        var now = SevenOfTen().Snapshot();

        Assert.Equal(7, now.Done);
        Assert.Equal(8, now.Results);
        Assert.Equal(1.75, now.Rate);
        Assert.Equal("7/10 inputs (70%), 2/s, 3 errors, ETA 0:02", now.Describe());
    }

    [Fact]
    public void Without_a_known_total_the_figures_say_so_and_at_the_end_every_input_is_done()
    {
        var tally = new JobTally(null, () => TimeSpan.FromMinutes(61));
        tally.Result(Results.Make(0, error: false));
        Assert.Equal("1 inputs, 0/s, 0 errors, ETA unknown", tally.Snapshot().Describe());

        tally.Finish();
        Assert.Equal("0/0 inputs (100%), 0/s, 0 errors, in 1:01:00", tally.Snapshot().Describe());
    }

    [Fact]
    public async Task On_a_terminal_the_bar_shows_done_of_total_rate_errors_and_ETA_and_prints_each_error()
    {
        var console = new TestConsole().Interactive();
        console.Profile.Width = 160;

        await new LiveProgress(console, TimeSpan.FromMilliseconds(10)).RunAsync(SevenOfTen(), Task.CompletedTask, "job w.upper");

        var screen = console.Output;
        Assert.Contains("job w.upper", screen);
        Assert.Contains("7/10 inputs (70%), 2/s, 3 errors, ETA 0:02", screen);
        Assert.Contains("palm: input #1: ", screen);
        Assert.Contains("palm: input #2: ", screen);
        Assert.Contains("palm: input #4: ", screen);
        // The bar itself: Spectre draws it with box characters, part done and part to do.
        Assert.Contains("━", screen);
    }

    [Fact]
    public async Task Without_a_terminal_errors_are_plain_lines_and_the_figures_a_line_per_interval()
    {
        var writer = new StringWriter();
        var tally = SevenOfTen();
        var job = new TaskCompletionSource();

        var display = new PlainProgress(writer, TimeSpan.FromMilliseconds(20)).RunAsync(tally, job.Task, "job w.upper");
        await Eventually.AssertAsync(() => Assert.Contains("palm: job w.upper: 7/10 inputs (70%), 2/s, 3 errors, ETA 0:02", writer.ToString()), TimeSpan.FromSeconds(10));
        job.SetResult();
        await display.WaitAsync(TimeSpan.FromSeconds(10));

        var lines = writer.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("palm: input #1: ", lines[0]);
        Assert.DoesNotContain("\u001b[", writer.ToString());
    }
}

/// <summary>Job results as the client makes them.</summary>
internal static class Results
{
    public static JobResult Make(long index, bool error) => error
        ? new JobResult(index, ReadOnlyMemory<byte>.Empty, new PalmError(PalmErrorKind.FunctionFailed, "w", "picky", 0, "FormatException", "bad input"))
        : new JobResult(index, Palm.Tests.Support.Text.Bytes($"r{index}"), null);
}
