namespace Palm.Templates.Parallel.Internal;

/// <summary>
/// How windows are sized: <see cref="Initial"/> to start, at most <see cref="Max"/> (<c>palm.butterfly.worker-window</c>),
/// and at most what a worker answers in <see cref="WindowSeconds"/> (<c>palm.butterfly.worker-window-time</c>).
/// Timestamps are those of the leader's <see cref="TimeProvider"/>, <see cref="Frequency"/> per second.
/// </summary>
internal sealed record WindowRules(int Initial, int Max, double WindowSeconds, long Frequency)
{
    /// <summary>A rate sample covers at least this much busy time (a tenth of the window time, at least a millisecond), so that answers bunched by the network do not look like bursts of speed.</summary>
    public long SampleTicks { get; } = Math.Max(Frequency / 1000, (long)(WindowSeconds / 10 * Frequency));
}

/// <summary>
/// A worker's rate as its leader sees it: items answered per second of holding work, averaged over about the last
/// <c>tau</c> of busy time, so a worker that turns slow is noticed within about that time (docs/internals.md#answerrate).
/// </summary>
internal sealed class AnswerRate(long sampleTicks, long frequency, double tauSeconds)
{
    private long _busySince = -1;
    private long _busyTicks;
    private long _answered;

    /// <summary>Items per second; 0 until the first sample.</summary>
    public double PerSecond { get; private set; }

    /// <summary>The worker got work while it held none, at <paramref name="now"/>.</summary>
    public void Busy(long now)
    {
        if (_busySince < 0) _busySince = now;
    }

    /// <summary>Counts <paramref name="count"/> answers at <paramref name="now"/>; true if that completed a sample.</summary>
    public bool Answered(long now, int count, bool stillBusy)
    {
        _answered += count;
        if (_busySince >= 0) _busyTicks += now - _busySince;
        _busySince = stillBusy ? now : -1;
        if (_busyTicks < sampleTicks || _answered == 0) return false;
        var seconds = _busyTicks / (double)frequency;
        var sample = _answered / seconds;
        PerSecond = PerSecond == 0 ? sample : PerSecond + (1 - Math.Exp(-seconds / tauSeconds)) * (sample - PerSecond);
        _answered = 0;
        _busyTicks = 0;
        return true;
    }
}
