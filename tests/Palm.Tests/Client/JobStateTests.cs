using Akka.Actor;
using Palm.Client.Internal;
using Palm.Messages;
using Palm.Tests.Support;
using Xunit;

namespace Palm.Tests.Client;

/// <summary>The client counts every input complete exactly once, whatever duplicates arrive, in bounded memory.</summary>
public sealed class JobStateTests
{
    private static JobState NewJob() =>
        new(new JobHeader(Guid.NewGuid(), ActorRefs.Nobody, Step.ParseRoute(["a.f"]), null, null), ["a"], TimeSpan.FromSeconds(30));

    private static ResultBatch Batch(JobState job, params ResultItem[] items) => new(job.Header.JobId, items);

    private static ResultItem Result(long input, UInt128 weight, string text) => new(input, weight, ResultKind.Payload, Text.Bytes(text), null);

    private static List<JobEvent> Drain(JobState job)
    {
        var events = new List<JobEvent>();
        while (job.Events.Reader.TryRead(out var e)) events.Add(e);
        return events;
    }

    [Fact]
    public void A_duplicated_whole_weight_result_is_ignored_and_the_input_counted_once()
    {
        var job = NewJob();
        Assert.Equal(0, job.Accept(Batch(job, Result(0, Weights.Whole, "a"))));
        Assert.Equal(1, job.Accept(Batch(job, Result(0, Weights.Whole, "a"))));

        var events = Drain(job);
        var single = Assert.Single(events);
        Assert.Equal(0, single.CompletedInput);
        Assert.Equal("a", Text.Of(single.Result!.Payload));
        Assert.False(job.Failed);
        Assert.Equal((1, 1), (job.Completed, job.Duplicates));
    }

    [Fact]
    public void Any_weight_for_an_input_already_complete_is_ignored()
    {
        var job = NewJob();
        job.Accept(Batch(job, Result(0, Weights.Whole, "a"), Result(1, Weights.Whole, "b")));
        var ignored = job.Accept(Batch(job, Result(0, UInt128.One, "late"), new ResultItem(1, Weights.Whole / 3, ResultKind.Done, default, null)));

        Assert.Equal(2, ignored);
        Assert.Equal([0L, 1L], Drain(job).Select(e => e.CompletedInput));
        Assert.False(job.Failed);
    }

    [Fact]
    public void A_duplicated_branch_that_would_overflow_its_input_is_ignored_not_a_failure()
    {
        var job = NewJob();
        var share = Weights.Whole / 2;
        var first = share + (Weights.Whole - share * 2);
        job.Accept(Batch(job, Result(0, first, "left")));
        Assert.Equal(1, job.Accept(Batch(job, Result(0, first, "left"))));
        Assert.False(job.Failed);
        job.Accept(Batch(job, Result(0, share, "right")));
        Assert.Equal(1, job.Accept(Batch(job, Result(0, share, "right"))));

        var events = Drain(job);
        Assert.Equal(["left", "right"], events.Where(e => e.Result is not null).Select(e => Text.Of(e.Result!.Payload)));
        Assert.Equal([0L], events.Where(e => e.CompletedInput >= 0).Select(e => e.CompletedInput));
        Assert.False(job.Failed);
        Assert.Equal(2, job.Duplicates);
    }

    [Fact]
    public void Completed_ids_are_kept_as_a_watermark_that_compacts_as_gaps_fill()
    {
        var job = NewJob();
        job.MarkIssued(1000);
        for (var id = 999; id >= 1; id--) job.Accept(Batch(job, Result(id, Weights.Whole, "x")));
        Assert.Equal(999, job.CompleteAboveWatermark);
        Assert.Equal([0L], job.FirstOutstanding(5));
        Assert.Equal(1, job.Owed);

        job.Accept(Batch(job, Result(0, Weights.Whole, "x")));
        Assert.Equal(0, job.CompleteAboveWatermark);
        Assert.Equal(0, job.Owed);
        Assert.Empty(job.FirstOutstanding(5));
        Assert.True(job.IsComplete(999));
        Assert.False(job.IsComplete(1000));
        Assert.Equal(1, job.Accept(Batch(job, Result(500, Weights.Whole, "x"))));
    }

    [Fact]
    public void The_outstanding_inputs_are_the_issued_ones_not_complete_lowest_first()
    {
        var job = NewJob();
        job.MarkIssued(10);
        foreach (var id in new long[] { 0, 2, 3, 5 }) job.Accept(Batch(job, Result(id, Weights.Whole, "x")));
        Assert.Equal([1L, 4L, 6L], job.FirstOutstanding(3));
        Assert.Equal(6, job.Owed);
    }
}
