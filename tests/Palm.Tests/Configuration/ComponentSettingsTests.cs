using Akka.Configuration;
using Palm.Cache;
using Palm.Client;
using Palm.Configuration;
using Palm.Dispatch;
using Palm.Hosting;
using Xunit;

namespace Palm.Tests.Configuration;

/// <summary>
/// Each component reads its own section (<c>palm.client</c>, <c>palm.server</c>, <c>palm.cache</c>, <c>palm.node</c>):
/// a good value is read, a bad one is refused naming its full key, and the shared settings no longer read them.
/// </summary>
public sealed class ComponentSettingsTests
{
    private static Config Hocon(string hocon) => ConfigurationFactory.ParseString(hocon);

    [Fact]
    public void Client_settings_read_palm_client()
    {
        var defaults = ClientSettings.Default;
        Assert.Equal((2000, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(5)), (defaults.Window, defaults.ProgressTimeout, defaults.StatusTimeout));
        var set = ClientSettings.Create(Hocon("palm.client { window = 7, progress-timeout = 45s, status-timeout = 800ms }"));
        Assert.Equal((7, TimeSpan.FromSeconds(45), TimeSpan.FromMilliseconds(800)), (set.Window, set.ProgressTimeout, set.StatusTimeout));
    }

    [Fact]
    public void Server_settings_read_palm_server()
    {
        var set = ServerSettings.Create(Hocon("palm.server { max-concurrency = 8, unknown-server-wait = 0s }"));
        Assert.Equal((8, TimeSpan.Zero, ServerSettings.DefaultDispatcher), (set.MaxConcurrency, set.UnknownServerWait, set.Dispatcher));
    }

    [Fact]
    public void Cache_settings_read_palm_cache()
    {
        var set = CacheSettings.Create(Hocon("palm.cache { max-entries = 10, max-bytes = 1MiB }"));
        Assert.Equal((10, 1L << 20), (set.MaxEntries, set.MaxBytes));
    }

    [Fact]
    public void Node_settings_read_palm_node() =>
        Assert.Equal(3, NodeSettings.Create(Hocon("palm.node.max-directory-subscribers = 3")).MaxDirectorySubscribers);

    public static TheoryData<string, Func<Config, object>> BadValues => new()
    {
        { "palm.client.window = 0", c => ClientSettings.Create(c) },
        { "palm.client.progress-timeout = never", c => ClientSettings.Create(c) },
        { "palm.client.status-timeout = 0s", c => ClientSettings.Create(c) },
        { "palm.server.max-concurrency = 0", c => ServerSettings.Create(c) },
        { "palm.server.unknown-server-wait = soon", c => ServerSettings.Create(c) },
        { "palm.cache.max-entries = 0", c => CacheSettings.Create(c) },
        { "palm.cache.max-bytes = lots", c => CacheSettings.Create(c) },
        { "palm.node.max-directory-subscribers = 0", c => NodeSettings.Create(c) },
    };

    [Theory]
    [MemberData(nameof(BadValues))]
    public void A_bad_value_is_refused_by_its_component_naming_its_full_key(string hocon, Func<Config, object> create)
    {
        var e = Assert.Throws<ConfigurationException>(() => create(Hocon(hocon)));
        Assert.StartsWith(hocon[..hocon.IndexOf(' ')] + " ", e.Message);
    }

    [Fact]
    public void The_shared_settings_do_not_read_a_components_section()
    {
        // palm.client.progress-timeout is still read by SettingsCheck, against palm.lane.resend-interval.
        var settings = PalmSettings.Create(Hocon("palm { server.max-concurrency = 0, cache.max-entries = 0, node.max-directory-subscribers = 0, client.window = 0 }"));
        Assert.Equal("palm", settings.SystemName);
    }

    [Fact]
    public async Task A_node_with_a_bad_component_value_does_not_start_and_the_error_names_the_key()
    {
        var e = await Assert.ThrowsAsync<ConfigurationException>(() => PalmHost.StartNodeAsync(new NodeOptions { Config = Hocon("palm.cache.max-entries = 0") }));
        Assert.Contains("palm.cache.max-entries", e.Message);
    }
}
