using System.Diagnostics;
using Akka.Actor;
using Akka.Event;

namespace Palm.Templates.Parallel.Internal;

/// <summary>
/// Counts messages a leader or worker ignored because they came from an actor it does not trust, and
/// warns about them at a bounded rate: at once for the first, then at most once per
/// <see cref="Interval"/> with the number ignored meanwhile. Whoever floods a server with forged
/// messages must not flood its log too.
/// </summary>
internal sealed class IgnoredMessages(ILoggingAdapter log, string who)
{
    /// <summary>Shortest time between two warnings.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    private readonly long _intervalTicks = (long)(Interval.TotalSeconds * Stopwatch.Frequency);
    private long _nextWarning = long.MinValue;
    private long _sinceWarning;

    /// <summary>How many messages were ignored in all.</summary>
    public long Count { get; private set; }

    /// <summary>Counts one ignored message, <paramref name="what"/> from <paramref name="sender"/>, and warns if a warning is due.</summary>
    public void Note(string what, IActorRef sender)
    {
        Count++;
        _sinceWarning++;
        var now = Stopwatch.GetTimestamp();
        if (now < _nextWarning) return;
        _nextWarning = now + _intervalTicks;
        log.Warning("{0} ignored {1} from {2}, which it does not take work or answers from; {3} such messages ignored since the last warning, {4} in all.",
            who, what, sender.IsNobody() ? "no sender" : sender.Path.ToString(), _sinceWarning, Count);
        _sinceWarning = 0;
    }
}
