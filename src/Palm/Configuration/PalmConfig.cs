using Akka.Configuration;

namespace Palm.Configuration;

/// <summary>The HOCON files of <c>hocon/</c>, embedded in the library.</summary>
public static class PalmConfig
{
    /// <summary><c>reference.conf</c>: every <c>palm.*</c> key with its default, and the serializer bindings.</summary>
    public static Config Reference { get; } = Load("reference.conf");

    /// <summary><c>cluster.conf</c>: what a server node needs (cluster provider, transport, failure detection, downing).</summary>
    public static Config ClusterNode { get; } = Load("cluster.conf").WithFallback(Reference);

    /// <summary><c>client.conf</c>: what a client outside the cluster needs (remote provider on loopback).</summary>
    public static Config Client { get; } = Load("client.conf").WithFallback(Reference);

    private static Config Load(string file)
    {
        using var stream = typeof(PalmConfig).Assembly.GetManifestResourceStream($"Palm.hocon.{file}")
            ?? throw new InvalidOperationException($"Palm's embedded {file} is missing from the assembly.");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    }
}
