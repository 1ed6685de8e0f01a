using Akka.Actor;
using Palm.Client;
using Palm.Client.Internal;
using Palm.Messages;
using Palm.TestKit;
using Palm.Tests.Support;
using Xunit;

namespace Palm.Tests.Client;

/// <summary>JobOptions.Progress: monotone reports at a bounded rate, a final one, and nothing at all for a job that does not ask.</summary>
public sealed class JobProgressTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    /// <summary>Keeps every report, on the thread that makes it (<see cref="Progress{T}"/> would post it elsewhere, later).</summary>
    private sealed class Reports(Action<JobProgress>? onReport = null) : IProgress<JobProgress>
    {
        public List<JobProgress> All { get; } = [];

        public void Report(JobProgress value)
        {
            All.Add(value);
            onReport?.Invoke(value);
        }
    }

    [Fact]
    public async Task A_job_reports_monotone_progress_ending_with_every_input_completed_and_its_errors_counted()
    {
        await this.StartPalmServerAsync<WordsServer>("w");
        await using var client = await this.ConnectPalmClientAsync();
        var reports = new Reports();
        var inputs = Enumerable.Range(0, 2000).Select(i => Text.Bytes(i % 100 == 0 ? "bad" : "ok")).ToArray();

        var results = await client.RunJob(["w.picky"], inputs, new JobOptions { Progress = reports, ProgressInterval = TimeSpan.Zero })
            .WithTimeout(Wait).ToListAsync();

        Assert.Equal(2000, results.Count);
        Assert.True(reports.All.Count > 1, $"{reports.All.Count} reports");
        for (var i = 1; i < reports.All.Count; i++)
        {
            var (before, after) = (reports.All[i - 1], reports.All[i]);
            Assert.True(after.InputsIssued >= before.InputsIssued && after.InputsCompleted >= before.InputsCompleted
                && after.Results >= before.Results && after.Errors >= before.Errors && after.Elapsed >= before.Elapsed, $"{before} then {after}");
        }
        Assert.All(reports.All, r =>
        {
            // An array's length is the total from the first report on.
            Assert.Equal(2000, r.Total);
            Assert.InRange(r.InputsCompleted, 0, r.InputsIssued);
        });
        var last = reports.All[^1];
        Assert.Equal((2000, 2000, 2000, 20, true), (last.InputsIssued, last.InputsCompleted, last.Results, last.Errors, last.IsFinal));
        Assert.Single(reports.All, r => r.IsFinal);
        Assert.Equal(1, last.Fraction);
        Assert.True(last.InputsPerSecond > 0);
    }

    [Fact]
    public async Task Reports_come_no_more_often_than_the_interval_but_the_final_one_always_comes()
    {
        await this.StartPalmServerAsync<WordsServer>("w");
        await using var client = await this.ConnectPalmClientAsync();
        var reports = new Reports();

        await client.RunJob(["w.upper"], Enumerable.Repeat(Text.Bytes("a"), 500).ToArray(), new JobOptions { Progress = reports, ProgressInterval = TimeSpan.FromHours(1) })
            .WithTimeout(Wait).CountAsync();

        var only = Assert.Single(reports.All);
        Assert.True(only.IsFinal);
        Assert.Equal(500, only.InputsCompleted);
    }

    [Fact]
    public async Task A_source_of_unknown_length_has_its_total_once_it_is_exhausted()
    {
        await this.StartPalmServerAsync<WordsServer>("w");
        await using var client = await this.ConnectPalmClientAsync();
        var someDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reports = new Reports(r =>
        {
            if (r.InputsCompleted >= 3) someDone.TrySetResult();
        });

        async IAsyncEnumerable<byte[]?> Source()
        {
            for (var i = 0; i < 3; i++) yield return Text.Bytes("a");
            // The rest only once a report has shown those three complete: the source is not exhausted before then.
            await someDone.Task.WaitAsync(Wait);
            for (var i = 0; i < 7; i++) yield return Text.Bytes("b");
        }

        await client.RunJob(["w.upper"], Source(), new JobOptions { Progress = reports, ProgressInterval = TimeSpan.Zero }).WithTimeout(Wait).CountAsync();

        Assert.Null(reports.All.First(r => r.InputsCompleted >= 3).Total);
        Assert.Null(reports.All[0].Remaining);
        Assert.Equal(10, reports.All[^1].Total);
        Assert.Equal(10, reports.All[^1].InputsCompleted);
    }

    [Fact]
    public async Task A_job_that_fails_makes_its_final_report_before_it_throws()
    {
        await this.StartPalmServerAsync<WordsServer>("w");
        await using var client = await this.ConnectPalmClientAsync();
        var reports = new Reports();

        IEnumerable<byte[]?> Failing()
        {
            yield return Text.Bytes("a");
            throw new InvalidOperationException("the source broke");
        }

        await Assert.ThrowsAsync<InvalidOperationException>(async () =>
            await client.RunJob(["w.upper"], Failing(), new JobOptions { Progress = reports }).WithTimeout(Wait).CountAsync());

        Assert.True(reports.All[^1].IsFinal);
        Assert.Null(reports.All[^1].Total);
    }

    [Fact]
    public async Task An_eval_reports_one_input()
    {
        await this.StartPalmServerAsync<WordsServer>("w");
        await using var client = await this.ConnectPalmClientAsync();
        var reports = new Reports();

        await client.EvalAsync(["w.upper"], Text.Bytes("a"), new JobOptions { Progress = reports }).WaitAsync(Wait);

        var last = reports.All[^1];
        Assert.Equal((1, 1, 1, true), (last.Total, last.InputsCompleted, last.Results, last.IsFinal));
    }

    [Fact]
    public void A_job_that_asks_for_no_progress_gets_no_reporter_so_its_inputs_cost_a_null_check_each()
    {
        var job = new JobState(new JobHeader(Guid.NewGuid(), ActorRefs.Nobody, Step.ParseRoute(["a.f"]), null, null), ["a"], TimeSpan.FromSeconds(30));

        Assert.Null(JobProgressReporter.For(new JobOptions(), job, 10));
        Assert.NotNull(JobProgressReporter.For(new JobOptions { Progress = new Reports() }, job, 10));
    }

    [Fact]
    public void Rate_fraction_and_time_left_follow_from_the_counts()
    {
        var halfway = new JobProgress(60, 50, 50, 0, 100, TimeSpan.FromSeconds(5), false);

        Assert.Equal(10, halfway.InputsPerSecond);
        Assert.Equal(0.5, halfway.Fraction);
        Assert.Equal(TimeSpan.FromSeconds(5), halfway.Remaining);
        Assert.Null((halfway with { Total = null }).Remaining);
        Assert.Equal(0, (halfway with { Elapsed = TimeSpan.Zero }).InputsPerSecond);
    }
}
