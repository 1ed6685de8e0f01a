using Akka.Event;

namespace Palm.Security.Internal;

/// <summary>
/// Logs refused TLS peers at most once a second, with a count of those left out: a stranger knocking
/// thousands of times must not flood the log.
/// </summary>
internal sealed class RefusalLog
{
    private const long IntervalMs = 1000;
    private long _nextAt;
    private int _suppressed;

    /// <summary>Logs the refusal, unless one was logged less than a second ago.</summary>
    public void Warn(ILoggingAdapter log, string peer, string reason)
    {
        var now = Environment.TickCount64;
        var next = Interlocked.Read(ref _nextAt);
        if (now < next || Interlocked.CompareExchange(ref _nextAt, now + IntervalMs, next) != next)
        {
            Interlocked.Increment(ref _suppressed);
            return;
        }
        var suppressed = Interlocked.Exchange(ref _suppressed, 0);
        log.Warning("palm.tls: refused the TLS peer {0}: {1}{2}", peer, reason,
            suppressed > 0 ? $" ({suppressed} more refusals since the last one logged)" : "");
    }
}
