using Akka.Actor;
using Akka.Configuration;
using Palm.Transport;
using Palm.Transport.Internal;

namespace Palm.Bench.Soak;

/// <summary>Injects the soak's faults (<c>palm-bench.fuzzing</c>) into a system's lanes: the fault seam is set at run time, never configured in Palm.</summary>
internal static class SoakFaults
{
    public static void Inject(ActorSystem system, Config? config)
    {
        if (config is not null && LaneFuzzingSettings.Create(config.GetConfig("palm-bench.fuzzing")) is { } faults)
            DataLanes.Get(system).Fuzzing = new LaneFuzzing(faults);
    }
}
