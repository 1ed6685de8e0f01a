using Akka.Actor;
using Palm.Transport;
using Palm.Transport.Internal;

namespace Palm.Bench.Soak;

/// <summary>Injects the soak's faults (<c>palm-bench.fuzzing</c>) into a system's lanes: the fault seam is set at run time, never configured in Palm.</summary>
internal static class SoakFaults
{
    /// <summary>Reads <c>palm-bench.fuzzing</c> from <paramref name="system"/>'s own configuration (a node's <c>--config</c> file included).</summary>
    public static void Inject(ActorSystem system)
    {
        if (LaneFuzzingSettings.Create(system.Settings.Config.GetConfig("palm-bench.fuzzing")) is { } faults)
            DataLanes.Get(system).Fuzzing = new LaneFuzzing(faults);
    }
}
