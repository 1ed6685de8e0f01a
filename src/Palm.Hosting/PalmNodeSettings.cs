using Akka.Configuration;
using Palm.Configuration;
using Palm.Servers;

namespace Palm.Hosting;

/// <summary>
/// How a node of a generic host starts, bound from configuration (the <c>Palm</c> section of appsettings.json, or
/// environment variables such as <c>Palm__Seeds__0</c>) or set in code; the same choices as <see cref="NodeOptions"/>' flags.
/// </summary>
public sealed class PalmNodeSettings
{
    /// <summary>Address to bind and advertise; null keeps the HOCON value (127.0.0.1 by default).</summary>
    public string? Host { get; set; }

    /// <summary>Akka.Remote port; 0 lets the OS pick; null keeps the HOCON value.</summary>
    public int? Port { get; set; }

    /// <summary>The data lane's port (<c>palm.lane.port</c>); null keeps the HOCON value.</summary>
    public int? LanePort { get; set; }

    /// <summary>Seed node addresses; empty: the node founds a cluster of its own.</summary>
    public List<string> Seeds { get; set; } = [];

    /// <summary>The part a parallel server's instance plays on this node.</summary>
    public ServerRole Role { get; set; } = ServerRole.Standalone;

    /// <summary>A HOCON file whose keys override Palm's defaults.</summary>
    public string? ConfigFile { get; set; }

    /// <summary>Extra HOCON text, over the file (e.g. <c>palm.client.window = 500</c>).</summary>
    public string? Hocon { get; set; }

    /// <summary>The node options these settings describe, at Information level (Palm's logger is installed by <see cref="PalmNodeService"/>).</summary>
    internal NodeOptions ToNodeOptions()
    {
        var hocon = PalmConfig.Parse("akka.loglevel = INFO\n" + (LanePort is { } lane ? $"palm.lane.port = {lane}\n" : ""), "Palm.Hosting");
        if (!string.IsNullOrWhiteSpace(Hocon)) hocon = PalmConfig.Parse(Hocon, "Palm:Hocon").WithFallback(hocon);
        return new NodeOptions { Host = Host, Port = Port, Seeds = Seeds, Role = Role, ConfigFile = ConfigFile, Config = hocon };
    }

    /// <summary>
    /// The actor system's name as these settings read it now (<c>palm.system-name</c>): Akka.Hosting takes it when the node is
    /// registered. A mistake in the settings is not reported here but when the host starts (<see cref="PalmNodeBootstrap.Create"/>).
    /// </summary>
    internal string SystemNameNow()
    {
        try
        {
            return ToNodeOptions().ToConfig().GetString("palm.system-name", PalmSettings.Default.SystemName);
        }
        catch (ConfigurationException)
        {
            return PalmSettings.Default.SystemName;
        }
    }
}
