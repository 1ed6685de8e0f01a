using System.Collections.Concurrent;
using System.Diagnostics;
using Palm.Client;

namespace Palm.Tool;

/// <summary>
/// What <c>palm job</c> knows of its job's progress, counted from the inputs it hands the client and the results it gets
/// back: the one source every progress display reads. An input counts as done once a result of it arrived, and every
/// input is done when the job ends (an input may yield no result at all).
/// </summary>
/// <remarks>
/// Counted here because the client gives no progress of its own yet; once it does (inputs completed, as the client's
/// job driver knows them), <see cref="Completed"/> takes its figure instead of <see cref="Result"/>'s estimate, and
/// the displays stay as they are.
/// </remarks>
internal sealed class JobTally(long? total, Func<TimeSpan>? clock = null)
{
    private readonly Func<TimeSpan> _clock = clock ?? StartClock();
    private readonly ConcurrentQueue<string> _errorLines = new();
    private readonly List<ulong> _answered = [];
    private long _issued;
    private long _done;
    private long _results;
    private long _errors;
    private bool _finished;

    /// <summary>How many inputs the job has, when known before it ends (a file counted beforehand); null for a stream.</summary>
    public long? Total { get; private set; } = total;

    /// <summary>Counts the payloads of <paramref name="inputs"/> as the client takes them.</summary>
    public async IAsyncEnumerable<byte[]?> Issue(IAsyncEnumerable<byte[]> inputs)
    {
        await foreach (var input in inputs.ConfigureAwait(false))
        {
            Interlocked.Increment(ref _issued);
            yield return input;
        }
    }

    /// <summary>Counts one result; an error also leaves its line (input index and error) for the display to print.</summary>
    public void Result(JobResult result)
    {
        Interlocked.Increment(ref _results);
        if (result.IsError)
        {
            Interlocked.Increment(ref _errors);
            _errorLines.Enqueue($"palm: input #{result.InputIndex}: {result.Error}");
        }
        Completed(result.InputIndex);
    }

    /// <summary>Leaves a line for the display to print beside the error lines.</summary>
    public void Note(string line) => _errorLines.Enqueue(line);

    /// <summary>Marks input <paramref name="index"/> done (once, however many results it has).</summary>
    public void Completed(long index)
    {
        // One bit per input: a million inputs cost 125 KB. Results come from one reader, so no lock is needed.
        var word = (int)(index >> 6);
        while (_answered.Count <= word) _answered.Add(0);
        var bit = 1UL << (int)(index & 63);
        if ((_answered[word] & bit) != 0) return;
        _answered[word] |= bit;
        Interlocked.Increment(ref _done);
    }

    /// <summary>The job ended: every input issued is done, and the total is what was issued.</summary>
    public void Finish()
    {
        Total = Interlocked.Read(ref _issued);
        Interlocked.Exchange(ref _done, Total.Value);
        Volatile.Write(ref _finished, true);
    }

    /// <summary>The error lines not printed yet, oldest first.</summary>
    public IEnumerable<string> TakeErrorLines()
    {
        while (_errorLines.TryDequeue(out var line)) yield return line;
    }

    private static Func<TimeSpan> StartClock()
    {
        var watch = Stopwatch.StartNew();
        return () => watch.Elapsed;
    }

    /// <summary>The counts as of now.</summary>
    public JobSnapshot Snapshot() => new(Interlocked.Read(ref _done), Total, Interlocked.Read(ref _issued), Interlocked.Read(ref _results),
        Interlocked.Read(ref _errors), _clock(), Volatile.Read(ref _finished));
}

/// <summary>A job's progress at one moment.</summary>
/// <param name="Done">Inputs done (a result of theirs arrived, or the job ended).</param>
/// <param name="Total">Inputs of the job, when known.</param>
/// <param name="Issued">Inputs handed to the client (sent, or waiting for a window slot).</param>
/// <param name="Results">Results received (an input may have none or several).</param>
/// <param name="Errors">Error results among them.</param>
/// <param name="Elapsed">Time since the job started.</param>
/// <param name="Finished">Whether the job has ended.</param>
internal readonly record struct JobSnapshot(long Done, long? Total, long Issued, long Results, long Errors, TimeSpan Elapsed, bool Finished)
{
    /// <summary>Inputs done per second, over the whole job so far.</summary>
    public double Rate => Elapsed > TimeSpan.Zero ? Done / Elapsed.TotalSeconds : 0;

    /// <summary>The time left at <see cref="Rate"/>, when the total is known and the rate is not zero; rounded up to a whole
    /// second, so a job with work left never says 0:00.</summary> up to a whole second: a job with work left never says 0:00.
    public TimeSpan? Eta => Total is { } total && Rate > 0 ? TimeSpan.FromSeconds(Math.Ceiling(Math.Max(0, total - Done) / Rate)) : null;

    /// <summary>The figures as one line: <c>1,200/10,000 inputs (12%), 2,400/s, 3 errors, ETA 0:03</c>.</summary>
    public string Describe()
    {
        var done = Total is { } total
            ? $"{Done:N0}/{total:N0} inputs ({(total == 0 ? 100 : 100.0 * Done / total):0}%)"
            : $"{Done:N0} inputs";
        var eta = Finished ? $"in {Clock(Elapsed)}" : Eta is { } left ? $"ETA {Clock(left)}" : "ETA unknown";
        return $"{done}, {Rate:N0}/s, {Errors:N0} error{(Errors == 1 ? "" : "s")}, {eta}";
    }

    /// <summary><c>m:ss</c>, or <c>h:mm:ss</c> from an hour on.</summary>
    public static string Clock(TimeSpan time) =>
        time.TotalHours >= 1 ? $"{(int)time.TotalHours}:{time.Minutes:00}:{time.Seconds:00}" : $"{(int)time.TotalMinutes}:{time.Seconds:00}";
}
