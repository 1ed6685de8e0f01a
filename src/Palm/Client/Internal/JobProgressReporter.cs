using System.Diagnostics;

namespace Palm.Client.Internal;

/// <summary>
/// Counts what a job's driver yields and reports it to <see cref="JobOptions.Progress"/> at a bounded rate. Exists only
/// for a job that asked for progress (<see cref="For"/> returns null otherwise): the driver's calls are null-conditional,
/// so a job without it pays a null check per event and nothing else.
/// </summary>
internal sealed class JobProgressReporter
{
    private readonly IProgress<JobProgress> _progress;
    private readonly JobState _job;
    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly long _interval;
    private long _next;
    private long _results;
    private long _errors;
    private long _completed;
    private long? _total;

    private JobProgressReporter(IProgress<JobProgress> progress, TimeSpan interval, JobState job, long? total)
    {
        (_progress, _job, _total) = (progress, job, total);
        _interval = (long)(Math.Max(0, interval.TotalSeconds) * Stopwatch.Frequency);
        _next = _started + _interval;
    }

    /// <summary>A reporter for <paramref name="job"/> if <paramref name="options"/> asks for progress; null otherwise.</summary>
    /// <param name="options">The job's options: <see cref="JobOptions.Progress"/> and its interval.</param>
    /// <param name="job">The job, whose issued inputs each report reads.</param>
    /// <param name="total">The number of inputs when known before the job starts (a collection, an array, one eval payload).</param>
    public static JobProgressReporter? For(JobOptions options, JobState job, long? total) =>
        options.Progress is { } progress ? new JobProgressReporter(progress, options.ProgressInterval, job, total) : null;

    public void Result(JobResult result)
    {
        _results++;
        if (result.IsError) _errors++;
    }

    /// <summary>The driver counted an input complete (<paramref name="completed"/> so far).</summary>
    public void Completed(long completed) => _completed = completed;

    public void SourceDone(long total) => _total = total;

    /// <summary>After each event: reports if the interval has passed since the last report.</summary>
    public void Tick()
    {
        var now = Stopwatch.GetTimestamp();
        if (now < _next) return;
        _next = now + _interval;
        Report(now, isFinal: false);
    }

    /// <summary>The job ended (completed, or failed): the last report.</summary>
    public void Final() => Report(Stopwatch.GetTimestamp(), isFinal: true);

    private void Report(long now, bool isFinal)
    {
        // Issued is written by the pump; never shown below what is complete.
        var issued = Math.Max(_job.Issued, _completed);
        _progress.Report(new JobProgress(issued, _completed, _results, _errors, _total, Stopwatch.GetElapsedTime(_started, now), isFinal));
    }
}
