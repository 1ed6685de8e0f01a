using Akka.Configuration;
using Akka.Configuration.Hocon;
using Palm.Cache;
using Palm.Client;
using Palm.Configuration;
using Palm.Dispatch;
using Palm.Hosting;
using Palm.Security;
using Palm.Templates.Parallel;
using Palm.Templates.Reduce;
using Palm.Transport;
using Xunit;

namespace Palm.Tests.Configuration;

/// <summary>
/// Every key of reference.conf, given a value it cannot take, is refused with a <see cref="ConfigurationException"/>
/// naming the key and the value: never a FormatException or ArgumentNullException that names nothing.
/// </summary>
public sealed class EveryKeyValueTests
{
    /// <summary>Keys any text is good for (names, paths, passwords), and the dispatcher's keys, which Akka reads.</summary>
    private static readonly HashSet<string> Strings =
    [
        "palm.system-name", "palm.lane.bind-hostname", "palm.tls.certificate", "palm.tls.certificate-key", "palm.tls.certificate-password", "palm.tls.trusted-ca",
        "palm.server-dispatcher.type", "palm.server-dispatcher.executor",
        // Read only with palm.tls on: A_bad_list_of_thumbprints_is_refused_naming_the_key.
        "palm.tls.trusted-thumbprints",
    ];

    public static TheoryData<string> Keys()
    {
        var data = new TheoryData<string>();
        foreach (var key in Leaves(PalmConfig.Reference.GetValue("palm"), "palm").Where(k => !Strings.Contains(k))) data.Add(key);
        return data;
    }

    private static IEnumerable<string> Leaves(HoconValue value, string path) =>
        value.IsObject() ? value.GetObject().Items.SelectMany(kv => Leaves(kv.Value, $"{path}.{kv.Key}")) : [path];

    /// <summary>What a node and a client read at start, section by section.</summary>
    private static void ReadEverySection(Config config)
    {
        PalmSettings.Create(config);
        ClientSettings.Create(config);
        ServerSettings.Create(config);
        CacheSettings.Create(config);
        ParallelSettings.Create(config);
        NodeSettings.Create(config);
        LaneSettings.Create(config);
        DowningSettings.Create(config);
        ReduceSettings.Create(config, "quarters");
        PalmTlsSettings.Create(config);
    }

    [Theory]
    [MemberData(nameof(Keys))]
    public void A_word_where_a_number_duration_size_or_switch_belongs_is_refused_naming_key_and_value(string key)
    {
        var e = Assert.Throws<ConfigurationException>(() => ReadEverySection(ConfigurationFactory.ParseString($"{key} = lots").WithFallback(PalmConfig.ClusterNode)));
        Assert.StartsWith($"{key} = 'lots' is not ", e.Message);
    }

    [Theory]
    [MemberData(nameof(Keys))]
    public void An_empty_value_is_refused_naming_the_key(string key)
    {
        var e = Assert.Throws<ConfigurationException>(() => ReadEverySection(ConfigurationFactory.ParseString($"{key} = \"\"").WithFallback(PalmConfig.ClusterNode)));
        Assert.StartsWith($"{key} = '' is not ", e.Message);
    }

    [Theory]
    [MemberData(nameof(Keys))]
    public void A_key_with_no_value_is_refused_naming_the_key(string key)
    {
        var e = Assert.Throws<ConfigurationException>(() => ReadEverySection(ConfigurationFactory.ParseString($"{key} =\nother = 1").WithFallback(PalmConfig.ClusterNode)));
        Assert.StartsWith($"{key} = ", e.Message);
    }

    [Theory]
    [InlineData("lots")]
    [InlineData("\"\"")]
    public void A_bad_list_of_thumbprints_is_refused_naming_the_key(string value)
    {
        var e = Assert.Throws<ConfigurationException>(() => PalmTlsSettings.Create(
            ConfigurationFactory.ParseString($"palm.tls {{ enabled = on, certificate = node.pfx, trusted-thumbprints = {value} }}")));
        Assert.StartsWith("palm.tls.trusted-thumbprints = ", e.Message);
        Assert.Contains("is not a list of strings", e.Message);
    }

    [Fact]
    public void A_server_of_its_own_in_palm_reduce_servers_is_read_key_by_key_too()
    {
        var e = Assert.Throws<ConfigurationException>(() => ReduceSettings.Create(
            ConfigurationFactory.ParseString("palm.reduce.servers.quarters.window-time = often").WithFallback(PalmConfig.Reference), "quarters"));
        Assert.StartsWith("palm.reduce.servers.quarters.window-time = 'often' is not a duration", e.Message);
    }
}
