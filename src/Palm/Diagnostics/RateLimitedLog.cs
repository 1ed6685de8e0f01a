using System.Collections.Concurrent;
using Akka.Event;

namespace Palm.Diagnostics;

/// <summary>
/// Logs at most one line per kind of event every <c>interval</c>, with how many like it were left out: a log that grows
/// with a stranger's effort would be a second way to attack the node. Thread-safe (docs/internals.md#ratelimitedlog).
/// </summary>
internal sealed class RateLimitedLog(ILoggingAdapter log, TimeSpan interval)
{
    /// <summary>The interval of logs about what strangers send (refused messages, forged answers): one line per kind every 10 s.</summary>
    public static readonly TimeSpan StrangerInterval = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, Kind> _kinds = new();

    /// <summary>Lines written so far (for tests).</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <summary>Lines left out so far (for tests).</summary>
    public long Suppressed => Interlocked.Read(ref _suppressed);

    private long _written;
    private long _suppressed;

    /// <summary>How many events of <paramref name="kind"/> were reported, logged or left out (tests and status read it).</summary>
    public long CountOf(string kind) => _kinds.TryGetValue(kind, out var state) ? Interlocked.Read(ref state.Total) : 0;

    /// <summary>Logs <paramref name="message"/> (plain text, not a format) as a warning, at the bounded rate.</summary>
    public bool Warn(string kind, string message) => Log(LogLevel.WarningLevel, kind, "{0}", message);

    /// <summary>
    /// Logs <paramref name="format"/> (a <see cref="string.Format(string, object?[])"/> format) at
    /// <paramref name="level"/> unless a line of the same <paramref name="kind"/> went out less than
    /// the interval ago. Kinds are a few fixed names, never built from what a peer sent.
    /// </summary>
    /// <returns>Whether the line was written.</returns>
    public bool Log(LogLevel level, string kind, string format, params object?[] args)
    {
        var state = _kinds.GetOrAdd(kind, static _ => new Kind());
        Interlocked.Increment(ref state.Total);
        if (!log.IsEnabled(level)) return false;
        long leftOut;
        lock (state)
        {
            var now = Environment.TickCount64;
            if (now < state.NextAt)
            {
                state.LeftOut++;
                Interlocked.Increment(ref _suppressed);
                return false;
            }
            state.NextAt = now + (long)interval.TotalMilliseconds;
            leftOut = state.LeftOut;
            state.LeftOut = 0;
        }
        var text = string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args);
        if (leftOut > 0) text += $" ({leftOut} more like this since the last such line were not logged; at most one every {interval.TotalSeconds:0.#} s)";
        // Passed as an argument, never as a format: the text may quote what a peer sent.
        log.Log(level, null, "{0}", text);
        Interlocked.Increment(ref _written);
        return true;
    }

    private sealed class Kind
    {
        public long NextAt;
        public long LeftOut;
        public long Total;
    }
}
