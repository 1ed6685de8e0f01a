using Akka.Configuration;
using Palm.Hosting;
using Palm.Messages;
using Palm.Tests.Support;
using Xunit;

namespace Palm.Tests.Transport;

/// <summary>A fixed lane port (<c>palm.lane.port</c>) another process holds fails the node's start, naming the port.</summary>
[Trait(TestCategories.Category, TestCategories.Cluster)]
public sealed class LanePortTests
{
    [Fact]
    public async Task A_node_whose_lane_port_is_taken_fails_its_start_naming_the_port_and_its_holder()
    {
        using var held = FreePorts.Hold();
        var options = new NodeOptions { Config = ConfigurationFactory.ParseString($"palm.lane.port = {held.Port}") };

        var failure = await Assert.ThrowsAsync<PalmBindException>(() => PalmHost.StartNodeAsync(options)).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(held.Port, failure.Port);
        Assert.Equal("127.0.0.1", failure.Host);
        Assert.StartsWith($"Cannot listen on 127.0.0.1:{held.Port} for Palm's data lane (palm.lane.port): the port is in use, held by ", failure.Message);
        if (OperatingSystem.IsLinux()) Assert.Contains($"held by process {Environment.ProcessId} (", failure.Message);
    }
}
