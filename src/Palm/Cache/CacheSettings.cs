using Akka.Actor;
using Akka.Configuration;
using Palm.Configuration;

namespace Palm.Cache;

/// <summary>
/// Settings of a server's cache, read from <c>palm.cache</c> (defaults and reasons in <c>hocon/reference.conf</c>).
/// Built with <see cref="Create(Config)"/> or <see cref="Create(ActorSystem)"/>; change one with <c>with { ... }</c>.
/// </summary>
public sealed record CacheSettings
{
    private CacheSettings()
    {
    }

    /// <summary>Most keys one server's cache holds (<c>palm.cache.max-entries</c>).</summary>
    public int MaxEntries { get; init; }

    /// <summary>Most value bytes one server's cache holds (<c>palm.cache.max-bytes</c>).</summary>
    public long MaxBytes { get; init; }

    /// <summary>The defaults of the embedded <c>reference.conf</c>.</summary>
    public static CacheSettings Default { get; } = Create(PalmConfig.Reference);

    /// <summary>Reads the cache settings of <paramref name="system"/>'s configuration.</summary>
    /// <exception cref="ConfigurationException">A value is malformed or out of range; the message names the key.</exception>
    public static CacheSettings Create(ActorSystem system) => Create(system.Settings.Config);

    /// <summary>Reads <c>palm.cache</c> from <paramref name="config"/> (with <see cref="PalmConfig.Reference"/> as its fallback).</summary>
    /// <exception cref="ConfigurationException">A value is malformed or out of range; the message names the key.</exception>
    public static CacheSettings Create(Config config)
    {
        var cache = new SettingsReader(config, "palm.cache");
        return new CacheSettings
        {
            MaxEntries = cache.Int("max-entries", 1),
            MaxBytes = cache.Bytes("max-bytes", 1),
        };
    }
}
