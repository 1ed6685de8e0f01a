using Akka.Configuration;
using Palm.Client;
using Palm.Configuration;
using Palm.Hosting;
using Xunit;

namespace Palm.Tests.Configuration;

/// <summary>Settings that are each valid but contradict each other stop a node or client at start, naming both keys.</summary>
public sealed class SettingsContradictionTests
{
    public static TheoryData<string, string, string> Contradictions => new()
    {
        { "palm.max-payload-bytes = 16 MiB", "palm.max-payload-bytes", "akka.remote.dot-netty.tcp.maximum-frame-size" },
        { "akka.remote.dot-netty.tcp.maximum-frame-size = 1 MiB\npalm.max-payload-bytes = 1 MiB", "palm.max-payload-bytes", "akka.remote.dot-netty.tcp.maximum-frame-size" },
        { "palm.batch.max-bytes = 9 MiB\npalm.max-payload-bytes = 1 MiB", "palm.batch.max-bytes", "akka.remote.dot-netty.tcp.maximum-frame-size" },
        { "palm.lane.port = 45123\nakka.remote.dot-netty.tcp.port = 45123", "palm.lane.port", "akka.remote.dot-netty.tcp.port" },
        { "palm.client.progress-timeout = 3s\npalm.lane.resend-interval = 2s", "palm.client.progress-timeout", "palm.lane.resend-interval" },
    };

    [Theory]
    [MemberData(nameof(Contradictions))]
    public async Task A_node_with_contradicting_settings_does_not_start_and_the_error_names_both_keys(string hocon, string first, string second)
    {
        var e = await Assert.ThrowsAsync<ConfigurationException>(() =>
            PalmHost.StartNodeAsync(new NodeOptions { Config = ConfigurationFactory.ParseString(hocon) }));
        Assert.Contains(first, e.Message);
        Assert.Contains(second, e.Message);
    }

    [Theory]
    [MemberData(nameof(Contradictions))]
    public async Task A_client_with_contradicting_settings_does_not_start_and_the_error_names_both_keys(string hocon, string first, string second)
    {
        // Refused before any connection is attempted: the contact address is never reached.
        var e = await Assert.ThrowsAsync<ConfigurationException>(() =>
            PalmClient.ConnectAsync("akka.tcp://palm@127.0.0.1:1", ConfigurationFactory.ParseString(hocon)));
        Assert.Contains(first, e.Message);
        Assert.Contains(second, e.Message);
    }

    [Fact]
    public void The_defaults_contradict_nothing()
    {
        PalmSettings.Create(PalmConfig.ClusterNode);
        PalmSettings.Create(PalmConfig.Client);
    }
}
