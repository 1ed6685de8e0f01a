using Akka.Configuration;
using Palm.Configuration;
using Xunit;

namespace Palm.Tests.Configuration;

/// <summary>The butterfly settings of <c>palm.butterfly</c>: defaults, overrides and what is refused.</summary>
public sealed class ButterflySettingsTests
{
    [Fact]
    public void Butterfly_settings_default_to_a_ten_second_drain_and_a_hundred_millisecond_window_time()
    {
        Assert.Equal((TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(100)), (PalmSettings.Default.DrainTimeout, PalmSettings.Default.WorkerWindowTime));

        var set = PalmSettings.Create(ConfigurationFactory.ParseString("palm.butterfly { drain-timeout = 3s, worker-window-time = 250ms }"));
        Assert.Equal((TimeSpan.FromSeconds(3), TimeSpan.FromMilliseconds(250)), (set.DrainTimeout, set.WorkerWindowTime));
    }

    [Theory]
    [InlineData("palm.butterfly.drain-timeout = 0s")]
    [InlineData("palm.butterfly.worker-window-time = 0s")]
    public void Butterfly_settings_refuse_a_drain_timeout_or_window_time_that_is_not_positive(string hocon)
    {
        var e = Assert.Throws<ConfigurationException>(() => PalmSettings.Create(ConfigurationFactory.ParseString(hocon)));
        Assert.Contains(hocon[..hocon.IndexOf(' ')], e.Message);
    }

    [Fact]
    public void Butterfly_drain_fits_in_the_shutdown_phase_it_runs_in_on_a_cluster_node()
    {
        var phase = PalmConfig.ClusterNode.GetTimeSpan("akka.coordinated-shutdown.phases.service-requests-done.timeout");
        Assert.True(PalmSettings.Create(PalmConfig.ClusterNode).DrainTimeout < phase, $"drain-timeout does not fit in the phase's {phase}");
    }
}
