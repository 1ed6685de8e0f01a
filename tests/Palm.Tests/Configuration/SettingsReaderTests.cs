using Akka.Configuration;
using Palm.Client;
using Palm.Configuration;
using Palm.Dispatch;
using Palm.Transport;
using Xunit;

namespace Palm.Tests.Configuration;

/// <summary>A bad value is reported with its full key and what it should be, whatever the kind of value.</summary>
public sealed class SettingsReaderTests
{
    // Each key is read by the settings of its section: the shared ones, the client's or the server's.
    private static ConfigurationException Refused(string hocon)
    {
        var config = ConfigurationFactory.ParseString(hocon);
        return Assert.Throws<ConfigurationException>(() =>
        {
            PalmSettings.Create(config);
            ClientSettings.Create(config);
            ServerSettings.Create(config);
        });
    }

    [Theory]
    [InlineData("palm.client.window = lots", "palm.client.window = 'lots' is not an integer")]
    [InlineData("palm.ask-timeout = soon", "palm.ask-timeout = 'soon' is not a duration")]
    [InlineData("palm.batch.max-bytes = big", "palm.batch.max-bytes = 'big' is not a size in bytes")]
    [InlineData("palm.client.window = 0", "palm.client.window = 0 is out of range: it must be at least 1")]
    [InlineData("palm.connect-timeout = 0s", "palm.connect-timeout = 0s is out of range: it must be positive")]
    [InlineData("palm.server.unknown-server-wait = -1s", "palm.server.unknown-server-wait = '-1s' is not a duration")]
    public void A_malformed_or_out_of_range_value_is_refused_naming_its_key_and_what_it_must_be(string hocon, string expected) =>
        Assert.StartsWith(expected, Refused(hocon).Message);

    [Fact]
    public void An_empty_value_is_refused_naming_its_key() =>
        Assert.Contains("palm.client.window", Refused("palm.client.window = \"\"").Message);

    [Fact]
    public void A_lane_setting_is_refused_naming_its_key_too()
    {
        var e = Assert.Throws<ConfigurationException>(() => LaneSettings.Create(ConfigurationFactory.ParseString("palm.lane.port = 70000")));
        Assert.StartsWith("palm.lane.port = 70000 is out of range: it must be from 0 to 65535", e.Message);
    }

    [Fact]
    public void Good_values_are_read_and_a_copy_changes_only_what_it_names()
    {
        var config = ConfigurationFactory.ParseString("palm { client.window = 7, ask-timeout = 3s, batch.max-bytes = 1MiB }");
        var settings = PalmSettings.Create(config);
        Assert.Equal(7, ClientSettings.Create(config).Window);
        Assert.Equal(TimeSpan.FromSeconds(3), settings.AskTimeout);
        Assert.Equal(1 << 20, settings.BatchMaxBytes);
        var copy = settings with { AskTimeout = TimeSpan.FromSeconds(9) };
        Assert.Equal(TimeSpan.FromSeconds(9), copy.AskTimeout);
        Assert.Equal(settings.BatchMaxBytes, copy.BatchMaxBytes);
    }
}
