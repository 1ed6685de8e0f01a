using Akka.Configuration;
using Palm.Configuration;
using Palm.Security.Internal;
using Xunit;

namespace Palm.Tests.Security;

/// <summary>Without TLS, a node that listens beyond loopback says once that its ports are open.</summary>
public sealed class ExposureWarningTests : Akka.TestKit.Xunit2.TestKit
{
    // The test's own system is local: the address is only read, never bound.
    public ExposureWarningTests() : base("akka.remote.dot-netty.tcp.hostname = \"10.0.0.5\"") { }

    private static string? WarningFor(string hocon) =>
        ExposureWarning.For(ConfigurationFactory.ParseString(hocon).WithFallback(PalmConfig.ClusterNode));

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.7")]
    [InlineData("localhost")]
    [InlineData("::1")]
    public void A_node_on_loopback_does_not_warn(string host)
    {
        Assert.Null(WarningFor($"akka.remote.dot-netty.tcp.hostname = \"{host}\""));
    }

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("10.0.0.5")]
    [InlineData("palm-1.example")]
    [InlineData("")]
    public void A_node_beyond_loopback_without_TLS_warns_that_its_ports_are_open(string host)
    {
        var warning = WarningFor($"akka.remote.dot-netty.tcp.hostname = \"{host}\"");
        Assert.NotNull(warning);
        Assert.Contains("open to anyone who can reach them", warning);
        Assert.Contains("palm.tls", warning);
    }

    [Fact]
    public void A_lane_bound_beyond_loopback_warns_too_and_TLS_silences_the_warning()
    {
        Assert.Contains("0.0.0.0", WarningFor("palm.lane.bind-hostname = \"0.0.0.0\""));
        Assert.Null(WarningFor("akka.remote.dot-netty.tcp { hostname = \"0.0.0.0\", enable-ssl = on }"));
    }

    [Fact]
    public void The_warning_is_logged_once()
    {
        EventFilter.Warning(contains: "open to anyone who can reach them").ExpectOne(() => ExposureWarning.LogIfExposed(Sys));
    }
}
