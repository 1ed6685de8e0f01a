using Akka.Configuration;
using Palm.Configuration;

namespace Palm.Hosting;

/// <summary>How <see cref="PalmDowningProvider"/> downs members, read from <c>palm.downing</c>.</summary>
/// <param name="StableAfter">How long the core members' reachability must stay unchanged before a split among them is decided.</param>
/// <param name="UnreachableWorkersAfter">How long a worker stays unreachable before it is downed, while every core member is reachable.</param>
public sealed record DowningSettings(TimeSpan StableAfter, TimeSpan UnreachableWorkersAfter)
{
    /// <summary>Reads <c>palm.downing</c> from a configuration whose fallback includes <see cref="PalmConfig.Reference"/>.</summary>
    /// <exception cref="ConfigurationException">A duration is malformed or not positive; the message names the key.</exception>
    public static DowningSettings Create(Config config)
    {
        var downing = new SettingsReader(config, "palm.downing");
        return new DowningSettings(downing.Duration("stable-after"), downing.Duration("unreachable-workers-after"));
    }
}
