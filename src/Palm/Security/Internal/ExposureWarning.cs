using System.Net;
using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using Palm.Configuration;

namespace Palm.Security.Internal;

/// <summary>
/// The one warning a node without TLS logs at start when it listens beyond loopback: whoever reaches its
/// ports can run its functions, read its caches and start servers on it.
/// </summary>
internal static class ExposureWarning
{
    /// <summary>The warning for a node started with <paramref name="config"/>, or null if its ports are TLS-protected or loopback only.</summary>
    public static string? For(Config config)
    {
        if (config.GetBoolean("akka.remote.dot-netty.tcp.enable-ssl", false)) return null;
        var remote = config.GetString("akka.remote.dot-netty.tcp.hostname", "") ?? "";
        var lane = new SettingsReader(config, "palm.lane").String("bind-hostname");
        // An empty lane host means Akka.Remote's; an empty Akka.Remote host means the machine's name.
        var hosts = lane.Length > 0 ? new[] { remote, lane } : [remote];
        var open = hosts.Where(h => !IsLoopback(h)).Distinct().ToArray();
        if (open.Length == 0) return null;
        return $"palm: TLS is off and this node listens on {string.Join(" and ", open.Select(h => h.Length == 0 ? "the machine's address" : h))}, "
            + "not only loopback: its ports (Akka.Remote and the data lane) are open to anyone who can reach them, who can run its "
            + "functions and read its caches. Turn on palm.tls (README, Security), or firewall the ports to the cluster's machines.";
    }

    /// <summary>Logs <see cref="For"/>'s warning once, if there is one.</summary>
    public static void LogIfExposed(ActorSystem system)
    {
        var warning = For(system.Settings.Config);
        if (warning is not null) Logging.GetLogger(system, "palm.security").Warning(warning);
    }

    /// <summary>Whether <paramref name="host"/> names only this machine (an empty host makes Akka bind the machine's address).</summary>
    internal static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
}
