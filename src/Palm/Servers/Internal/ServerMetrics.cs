using System.Diagnostics.Metrics;
using Palm.Diagnostics;

namespace Palm.Servers.Internal;

/// <summary>
/// The per-server instruments of the <c>Palm</c> meter (docs/metrics.md): callbacks that read each running server's
/// <see cref="ServerCounters"/>, which its actor keeps anyway, so metrics add nothing to a message's path. Tagged
/// with the server's name, its role and its node; a node registers each server it starts and disposes the
/// registration when the server stops.
/// </summary>
internal static class ServerMetrics
{
    private static readonly MeterSources<Source> Sources = new();

    static ServerMetrics()
    {
        var meter = PalmMeter.Meter;
        meter.CreateObservableCounter("palm.server.messages_in", () => Sources.Observe<long>(s => s.Counters.MessagesIn), "{message}",
            "Messages handed to the server's functions (a leader: messages it accepted for its workers).");
        meter.CreateObservableCounter("palm.server.messages_out", () => Sources.Observe<long>(s => s.Counters.MessagesOut), "{message}",
            "Payloads the server's functions produced.");
        meter.CreateObservableCounter("palm.server.errors", () => Sources.Observe<long>(s => s.Counters.Errors), "{error}",
            "Error results the server produced: functions that threw, bad steps, oversize payloads.");
        meter.CreateObservableCounter("palm.server.user_time", () => Sources.Observe<double>(s => s.Counters.UserTime.TotalSeconds), "s",
            "Wall time spent inside the server's functions and hooks.");
        meter.CreateObservableUpDownCounter("palm.server.in_flight", () => Sources.Observe<long>(s => s.Counters.InFlight), "{message}",
            "Messages the server has taken and not finished with (waiting for a call slot, in a call, or at a worker).");
        meter.CreateObservableUpDownCounter("palm.server.workers", () => Sources.Observe<long>(s => s.Role == ServerRole.Leader ? s.Counters.Workers : null), "{worker}",
            "The workers a leader currently uses (leaders only).");
    }

    /// <summary>Servers measured now (tests).</summary>
    internal static int Count => Sources.Count;

    /// <summary>Measures the server <paramref name="name"/> playing <paramref name="role"/> on <paramref name="node"/> until the result is disposed.</summary>
    public static IDisposable Register(ServerCounters counters, string name, ServerRole role, string node) =>
        Sources.Add(new Source(counters, role),
            new(PalmMeter.ServerTag, name), new(PalmMeter.RoleTag, role.ToString().ToLowerInvariant()), new(PalmMeter.NodeTag, node));

    private sealed record Source(ServerCounters Counters, ServerRole Role);
}
