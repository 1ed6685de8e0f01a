using Akka.Configuration;
using Palm.Configuration;

namespace Palm.Hosting;

/// <summary>How <see cref="PalmDowningProvider"/> downs members, read from <c>palm.downing</c>.</summary>
/// <param name="StableAfter">How long the core members' reachability must stay unchanged before a split among them is decided.</param>
/// <param name="UnreachableWorkersAfter">How long a worker stays unreachable before it is downed, while every core member is reachable.</param>
public sealed record DowningSettings(TimeSpan StableAfter, TimeSpan UnreachableWorkersAfter)
{
    /// <summary>Reads <c>palm.downing</c> from a configuration whose fallback includes <see cref="PalmConfig.Reference"/>.</summary>
    /// <exception cref="ConfigurationException">A duration is not positive.</exception>
    public static DowningSettings Create(Config config)
    {
        var downing = config.WithFallback(PalmConfig.Reference).GetConfig("palm.downing");
        var settings = new DowningSettings(downing.GetTimeSpan("stable-after"), downing.GetTimeSpan("unreachable-workers-after"));
        if (settings.StableAfter <= TimeSpan.Zero || settings.UnreachableWorkersAfter <= TimeSpan.Zero)
            throw new ConfigurationException("palm.downing.stable-after and palm.downing.unreachable-workers-after must be positive.");
        return settings;
    }
}
