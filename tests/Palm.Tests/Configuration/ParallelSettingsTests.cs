using Akka.Configuration;
using Palm.Configuration;
using Palm.Templates.Parallel;
using Xunit;

namespace Palm.Tests.Configuration;

/// <summary>The parallel templates' settings of <c>palm.butterfly</c>: defaults, overrides and what is refused.</summary>
public sealed class ParallelSettingsTests
{
    [Fact]
    public void Parallel_settings_default_to_a_ten_second_drain_and_a_hundred_millisecond_window_time()
    {
        Assert.Equal((TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(100)), (ParallelSettings.Default.DrainTimeout, ParallelSettings.Default.WorkerWindowTime));

        var set = ParallelSettings.Create(ConfigurationFactory.ParseString("palm.butterfly { drain-timeout = 3s, worker-window-time = 250ms, worker-window = 12 }"));
        Assert.Equal((TimeSpan.FromSeconds(3), TimeSpan.FromMilliseconds(250), 12), (set.DrainTimeout, set.WorkerWindowTime, set.WorkerWindow));
    }

    [Theory]
    [InlineData("palm.butterfly.drain-timeout = 0s")]
    [InlineData("palm.butterfly.worker-window-time = 0s")]
    [InlineData("palm.butterfly.worker-window = 0")]
    public void Parallel_settings_refuse_a_drain_timeout_window_time_or_window_that_is_not_positive(string hocon)
    {
        var e = Assert.Throws<ConfigurationException>(() => ParallelSettings.Create(ConfigurationFactory.ParseString(hocon)));
        Assert.Contains(hocon[..hocon.IndexOf(' ')], e.Message);
    }

    [Fact]
    public void Butterfly_drain_fits_in_the_shutdown_phase_it_runs_in_on_a_cluster_node()
    {
        var phase = PalmConfig.ClusterNode.GetTimeSpan("akka.coordinated-shutdown.phases.service-requests-done.timeout");
        Assert.True(ParallelSettings.Create(PalmConfig.ClusterNode).DrainTimeout < phase, $"drain-timeout does not fit in the phase's {phase}");
    }
}
