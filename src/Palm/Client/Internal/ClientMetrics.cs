using Palm.Diagnostics;

namespace Palm.Client.Internal;

/// <summary>
/// The per-client instruments of the <c>Palm</c> meter (docs/metrics.md): callbacks over each connected client's
/// <see cref="ClientCounters"/>, tagged with the address of the actor system the client runs in (clients of one
/// system are summed). A client registers when it connects and disposes the registration when disposed.
/// </summary>
internal static class ClientMetrics
{
    private static readonly MeterSources<ClientCounters> Sources = new();

    static ClientMetrics()
    {
        var meter = PalmMeter.Meter;
        meter.CreateObservableCounter("palm.client.jobs_started", () => Sources.Observe<long>(c => c.Jobs.Started), "{job}",
            "Jobs (RunJob and EvalAsync) the client started.");
        meter.CreateObservableCounter("palm.client.jobs_completed", () => Sources.Observe<long>(c => c.Jobs.Completed), "{job}",
            "Jobs whose result stream ended by itself: every input complete.");
        meter.CreateObservableCounter("palm.client.jobs_failed", () => Sources.Observe<long>(c => c.Jobs.Failed), "{job}",
            "Jobs that failed (PalmJobFailedException, or the job's source threw).");
        meter.CreateObservableCounter("palm.client.jobs_cancelled", () => Sources.Observe<long>(c => c.Jobs.Cancelled), "{job}",
            "Jobs cancelled, or left by their consumer before the end.");
        meter.CreateObservableUpDownCounter("palm.client.jobs_running", () => Sources.Observe<long>(c => c.Jobs.Running), "{job}",
            "Jobs running now.");
        meter.CreateObservableCounter("palm.client.inputs_issued", () => Sources.Observe<long>(c => c.InputsIssued), "{input}",
            "Inputs sent to the cluster (or answered at once with an error, such as a null payload).");
        meter.CreateObservableCounter("palm.client.inputs_completed", () => Sources.Observe<long>(c => c.InputsCompleted), "{input}",
            "Inputs complete: every result derived from them came back.");
    }

    /// <summary>Clients measured now (tests).</summary>
    internal static int Count => Sources.Count;

    /// <summary>Measures <paramref name="counters"/>, a client in the system at <paramref name="node"/>, until the result is disposed.</summary>
    public static IDisposable Register(ClientCounters counters, string node) =>
        Sources.Add(counters, new KeyValuePair<string, object?>(PalmMeter.NodeTag, node));
}
