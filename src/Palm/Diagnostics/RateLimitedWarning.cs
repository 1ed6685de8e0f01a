using Akka.Event;

namespace Palm.Diagnostics;

/// <summary>
/// Warnings about what strangers send (refused messages, garbage connections) at a bounded rate: at
/// most one line per kind per <c>interval</c>, the next one saying how many were suppressed, so that
/// hostile or broken traffic cannot fill a disk or drown real warnings. Thread-safe.
/// </summary>
internal sealed class RateLimitedWarning(ILoggingAdapter log, TimeSpan interval)
{
    private readonly Dictionary<string, (long NextAt, long Suppressed, long Total)> _kinds = new(StringComparer.Ordinal);
    private readonly long _intervalMs = (long)interval.TotalMilliseconds;

    /// <summary>How many warnings of <paramref name="kind"/> were asked for, written or suppressed (tests and status read it).</summary>
    public long CountOf(string kind)
    {
        lock (_kinds) return _kinds.TryGetValue(kind, out var state) ? state.Total : 0;
    }

    /// <summary>Logs <paramref name="message"/> unless a warning of <paramref name="kind"/> was logged less than an interval ago.</summary>
    public void Warn(string kind, string message)
    {
        long suppressed;
        lock (_kinds)
        {
            var now = Environment.TickCount64;
            _kinds.TryGetValue(kind, out var state);
            if (now < state.NextAt)
            {
                _kinds[kind] = (state.NextAt, state.Suppressed + 1, state.Total + 1);
                return;
            }
            suppressed = state.Suppressed;
            _kinds[kind] = (now + _intervalMs, 0, state.Total + 1);
        }
        if (suppressed > 0) log.Warning("{0} ({1} more like it suppressed in the last interval)", message, suppressed);
        else log.Warning("{0}", message);
    }
}
