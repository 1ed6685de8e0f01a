using Akka.Configuration;
using Palm.Configuration;
using Palm.Hosting;
using Xunit;

namespace Palm.Tests.Configuration;

/// <summary>A key nobody reads stops the start, naming the nearest key that is read: HOCON takes any key, and a typo leaves the default in force.</summary>
public sealed class UnknownKeyTests
{
    private static string Refused(string hocon, Config? defaults = null) =>
        Assert.Throws<ConfigurationException>(() => PalmSettings.Create(ConfigurationFactory.ParseString(hocon).WithFallback(defaults ?? PalmConfig.ClusterNode))).Message;

    [Theory]
    [InlineData("palm.tls.enable = on", "palm.tls.enable is not a Palm setting; did you mean palm.tls.enabled?")]
    [InlineData("palm.client.windw = 10", "palm.client.windw is not a Palm setting; did you mean palm.client.window?")]
    [InlineData("palm { lane { resend-intervall = 2s } }", "palm.lane.resend-intervall is not a Palm setting; did you mean palm.lane.resend-interval?")]
    [InlineData("akka.cluster.seed-node = [\"akka.tcp://palm@127.0.0.1:4053\"]", "akka.cluster.seed-node is not an Akka.Cluster setting; did you mean akka.cluster.seed-nodes?")]
    [InlineData("akka.remote.dot-netty.tcp.hostnme = \"10.0.0.1\"", "akka.remote.dot-netty.tcp.hostnme is not an Akka.Remote setting; did you mean akka.remote.dot-netty.tcp.hostname?")]
    [InlineData("palm.reduce.servers.quarters.window-msgs = 10", "palm.reduce.servers.quarters.window-msgs is not a Palm setting; did you mean palm.reduce.servers.quarters.window-messages?")]
    public void A_mistyped_key_is_refused_naming_the_nearest_known_key(string hocon, string expected) =>
        Assert.Equal(expected, Refused(hocon));

    [Fact]
    public void A_key_like_no_known_one_is_refused_listing_its_section() =>
        Assert.Equal("palm.client.colour is not a Palm setting; palm.client has contact-points, progress-timeout, status-timeout, window.", Refused("palm.client.colour = blue"));

    [Fact]
    public void A_client_refuses_an_unknown_key_as_a_node_does() =>
        Assert.StartsWith("palm.tls.enable is not a Palm setting", Refused("palm.tls.enable = on", PalmConfig.Client));

    [Fact]
    public void The_shipped_configurations_and_the_keys_users_set_pass()
    {
        PalmSettings.Create(PalmConfig.ClusterNode);
        PalmSettings.Create(PalmConfig.Client);
        PalmSettings.Create(new NodeOptions { Seeds = ["akka.tcp://palm@127.0.0.1:4053"], Port = 4053 }.ToConfig());
        PalmSettings.Create(ConfigurationFactory.ParseString("""
            palm.reduce.servers.quarters { window-messages = 10, window-time = 1s }
            palm.server-dispatcher.throughput = 10
            akka.cluster.role.palm-core.min-nr-of-members = 2
            akka.cluster.sharding.passivate-idle-entity-after = 2m
            akka.cluster.split-brain-resolver.active-strategy = keep-oldest
            akka.remote.dot-netty.tcp.public-hostname = "example.org"
            palm.client { }
            """).WithFallback(PalmConfig.ClusterNode));
    }
}
