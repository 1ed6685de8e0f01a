using Akka.Configuration;
using Palm.Configuration.Internal;

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

    /// <summary>
    /// Parses HOCON text, first checking what Akka's parser would let through: an unclosed or stray brace or
    /// bracket (Akka's parser drops every key after a stray <c>}</c>, and hangs on some unclosed <c>[</c>), a string
    /// missing its closing quote.
    /// </summary>
    /// <param name="hocon">The text.</param>
    /// <param name="origin">Where it came from (a file name, "--config"), for the message.</param>
    /// <exception cref="ConfigurationException">The text is malformed; the message names <paramref name="origin"/> and the line.</exception>
    public static Config Parse(string hocon, string origin = "HOCON")
    {
        ArgumentNullException.ThrowIfNull(hocon);
        return HoconSyntax.Parse(hocon, origin);
    }

    /// <summary>Reads and parses the HOCON file at <paramref name="path"/> as <see cref="Parse"/> does.</summary>
    /// <exception cref="ConfigurationException">The file is missing, unreadable or malformed; the message names it (and the line).</exception>
    public static Config ParseFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException($"{path}: cannot read the HOCON file (resolved against {Directory.GetCurrentDirectory()}): {e.Message}", e);
        }
        return HoconSyntax.Parse(text, path);
    }

    private static Config Load(string file)
    {
        using var stream = typeof(PalmConfig).Assembly.GetManifestResourceStream($"Palm.hocon.{file}")
            ?? throw new InvalidOperationException($"Palm's embedded {file} is missing from the assembly.");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    }
}
