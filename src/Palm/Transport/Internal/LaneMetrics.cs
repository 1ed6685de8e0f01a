using System.Diagnostics.Metrics;
using Palm.Diagnostics;

namespace Palm.Transport.Internal;

/// <summary>
/// The per-node instruments of the <c>Palm</c> meter (docs/metrics.md): callbacks over the counters the data lanes of
/// each actor system keep anyway (<see cref="LaneCounters"/>, the listener's and the inbox's refusals), tagged with
/// the system's address. <see cref="DataLanes"/> registers itself when it starts and disposes the registration
/// when its system terminates.
/// </summary>
internal static class LaneMetrics
{
    private static readonly MeterSources<DataLanes> Sources = new();

    static LaneMetrics()
    {
        var meter = PalmMeter.Meter;
        meter.CreateObservableCounter("palm.lane.fallbacks", () => Sources.Observe<long>(l => Interlocked.Read(ref l.Counters.ViaRemote)), "{envelope}",
            "Envelopes sent through Akka.Remote the first time: no lane connection to their system was up.");
        meter.CreateObservableCounter("palm.lane.resends", () => Sources.Observe<long>(l => Interlocked.Read(ref l.Counters.Resent)), "{envelope}",
            "Envelopes sent again through Akka.Remote: a connection broke before confirming them, or no confirmation came in time.");
        meter.CreateObservableCounter("palm.lane.frames_sent", () => Sources.Observe<long>(l => Interlocked.Read(ref l.Counters.Sent)), "{frame}",
            "Frames written to lane connections.");
        meter.CreateObservableCounter("palm.lane.connections_opened", () => Sources.Observe<long>(l => Interlocked.Read(ref l.Counters.Opened)), "{connection}",
            "Lane connections this system opened to others.");
        meter.CreateObservableCounter("palm.lane.refused_connections", () => ByReason(
                ("limit", l => l.Listener?.Refused), ("tls", l => l.Listener?.TlsRefused), ("handshake", l => l.Listener?.RefusedHandshakes)), "{connection}",
            "Inbound lane connections refused: over a connection limit, without mutual TLS with a trusted certificate, or presenting no secret this system handed out.");
        meter.CreateObservableCounter("palm.lane.refused_frames", () => ByReason(
                ("target", l => l.Inbox?.RefusedFrames), ("session", l => l.Inbox?.RefusedSessions)), "{envelope}",
            "Envelopes and batches refused: for an actor lanes do not deliver to or from a sender of another system (target), or naming a session of another system (session).");
    }

    /// <summary>Systems measured now (tests).</summary>
    internal static int Count => Sources.Count;

    /// <summary>Measures <paramref name="lanes"/>, the lanes of the system at <paramref name="node"/>, until the result is disposed.</summary>
    public static IDisposable Register(DataLanes lanes, string node) => Sources.Add(lanes, new KeyValuePair<string, object?>(PalmMeter.NodeTag, node));

    /// <summary>One measurement per system and reason: each reason's count tagged with it.</summary>
    private static IEnumerable<Measurement<long>> ByReason(params (string Reason, Func<DataLanes, long?> Read)[] reasons) =>
        reasons.SelectMany(r => Sources.Observe(r.Read, new KeyValuePair<string, object?>(PalmMeter.ReasonTag, r.Reason))).ToArray();
}
