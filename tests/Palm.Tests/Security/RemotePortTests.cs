using Akka.Configuration;
using Palm.Client;
using Palm.Hosting;
using Palm.Messages;
using Palm.Tests.Support;
using Xunit;

namespace Palm.Tests.Security;

/// <summary>
/// Akka.Remote's port taken, for a node and for a client alike: the actor system does not start, and
/// the one translation of Akka's nested exceptions (<c>PalmTls.CreateActorSystem</c>) names the port.
/// </summary>
[Trait(TestCategories.Category, TestCategories.Cluster)]
public sealed class RemotePortTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_node_whose_port_is_taken_fails_its_start_naming_the_port_and_its_holder()
    {
        using var held = FreePorts.Hold();

        var failure = await Assert.ThrowsAsync<PalmBindException>(() => PalmHost.StartNodeAsync(new NodeOptions { Port = held.Port })).WaitAsync(Wait);

        Assert.Equal(held.Port, failure.Port);
        Assert.StartsWith($"Cannot listen on 127.0.0.1:{held.Port} for Akka.Remote (akka.remote.dot-netty.tcp.port): the port is in use, held by ", failure.Message);
        if (OperatingSystem.IsLinux()) Assert.Contains($"held by process {Environment.ProcessId} (", failure.Message);
    }

    [Fact]
    public async Task A_client_given_a_port_that_is_taken_fails_to_connect_naming_the_port()
    {
        using var held = FreePorts.Hold();
        var config = ConfigurationFactory.ParseString($"akka.remote.dot-netty.tcp.port = {held.Port}");

        var failure = await Assert.ThrowsAsync<PalmBindException>(() => PalmClient.ConnectAsync($"akka.tcp://palm@127.0.0.1:{FreePorts.Unused()}", config)).WaitAsync(Wait);

        Assert.Equal(held.Port, failure.Port);
        Assert.Contains($"127.0.0.1:{held.Port}", failure.Message);
    }
}
