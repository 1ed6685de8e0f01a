using Akka.Configuration;
using Palm.Client;
using Palm.Configuration;
using Palm.Hosting;
using Xunit;

namespace Palm.Tests.Configuration;

/// <summary>Settings that contradict each other stop a node or client at start, naming both keys.</summary>
public sealed class SettingsCheckTests
{
    private static readonly Config AkkaTlsByHand = ConfigurationFactory.ParseString("akka.remote.dot-netty.tcp.enable-ssl = on");

    [Fact]
    public void Akka_remote_TLS_on_with_palm_tls_off_is_refused_naming_both_keys()
    {
        var e = Assert.Throws<ConfigurationException>(() => PalmSettings.Create(new NodeOptions { Config = AkkaTlsByHand }.ToConfig()));
        Assert.Contains("akka.remote.dot-netty.tcp.enable-ssl", e.Message);
        Assert.Contains("palm.tls.enabled", e.Message);

        Assert.Throws<ConfigurationException>(() => PalmSettings.Create(AkkaTlsByHand.WithFallback(PalmConfig.Client)));
    }

    [Fact]
    public void Akka_remote_TLS_with_palm_tls_on_or_both_off_passes_the_check()
    {
        var both = ConfigurationFactory.ParseString("palm.tls.enabled = on").WithFallback(AkkaTlsByHand);
        Assert.Equal("palm", PalmSettings.Create(new NodeOptions { Config = both }.ToConfig()).SystemName);
        Assert.Equal("palm", PalmSettings.Create(new NodeOptions().ToConfig()).SystemName);
    }

    [Fact]
    public async Task A_node_or_client_with_Akka_TLS_configured_by_hand_does_not_start()
    {
        var node = await Assert.ThrowsAsync<ConfigurationException>(() => PalmHost.StartNodeAsync(new NodeOptions { Config = AkkaTlsByHand }));
        Assert.Contains("palm.tls.enabled", node.Message);
        var client = await Assert.ThrowsAsync<ConfigurationException>(() => PalmClient.ConnectAsync("akka.ssl.tcp://palm@127.0.0.1:1", AkkaTlsByHand));
        Assert.Contains("akka.remote.dot-netty.tcp.enable-ssl", client.Message);
    }
}
