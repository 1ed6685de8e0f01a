using Akka.Actor;
using Palm.Hosting.Internal;
using Xunit;

namespace Palm.Tests.Hosting;

/// <summary>A node's connected clients: a system counts as connected while any of its client actors is.</summary>
public sealed class ConnectedClientsTests : Akka.TestKit.Xunit2.TestKit
{
    [Fact]
    public void A_system_stays_connected_until_its_last_client_actor_is_removed_and_the_capacity_holds()
    {
        var clients = new ConnectedClients(capacity: 2);
        var (first, second, third) = (CreateTestProbe().Ref, CreateTestProbe().Ref, CreateTestProbe().Ref);
        var system = first.Path.Address;

        Assert.True(clients.Add(first));
        Assert.True(clients.Add(first));
        Assert.True(clients.Add(second));
        Assert.False(clients.Add(third));
        Assert.True(clients.Contains(system));

        Assert.True(clients.Remove(first));
        Assert.False(clients.Remove(first));
        Assert.True(clients.Contains(system));
        Assert.True(clients.Remove(second));
        Assert.False(clients.Contains(system));

        // Room again, and the system connects again with it.
        Assert.True(clients.Add(third));
        Assert.True(clients.Contains(system));
        Assert.False(clients.Contains(new Address("akka.tcp", "other", "127.0.0.1", 1)));
    }
}
