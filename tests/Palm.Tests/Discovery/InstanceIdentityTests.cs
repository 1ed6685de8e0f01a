using Palm.Discovery.Internal;
using Palm.Servers;
using Xunit;

namespace Palm.Tests.Discovery;

/// <summary>The one naming of server instances: actor names a node gives, and the identities status and functions show.</summary>
public sealed class InstanceIdentityTests
{
    private const string Node = "akka.tcp://palm@10.0.0.7:4055";

    [Fact]
    public void A_server_alone_a_leader_and_each_worker_are_named_by_server_role_worker_number_and_host()
    {
        Assert.Equal("a@10.0.0.7:4055", InstanceIdentity.Of("a", ServerRole.Standalone, InstanceIdentity.ActorName("a", ServerRole.Standalone, 0), Node));
        Assert.Equal("c/leader@10.0.0.7:4055", InstanceIdentity.Of("c", ServerRole.Leader, InstanceIdentity.ActorName("c", ServerRole.Leader, 0), Node));
        Assert.Equal("c/worker-3@10.0.0.7:4055", InstanceIdentity.Of("c", ServerRole.Worker, InstanceIdentity.ActorName("c", ServerRole.Worker, 3), Node));
    }

    [Fact]
    public void A_worker_of_a_server_whose_name_has_dashes_keeps_its_number()
    {
        var actor = InstanceIdentity.ActorName("my-farm-2", ServerRole.Worker, 12);
        Assert.Equal("worker-my-farm-2-12", actor);
        Assert.Equal("my-farm-2/worker-12@10.0.0.7:4055", InstanceIdentity.Of("my-farm-2", ServerRole.Worker, actor, Node));
    }

    [Fact]
    public void A_node_outside_any_cluster_is_named_by_its_whole_address() =>
        Assert.Equal("a@akka://palm", InstanceIdentity.Of("a", ServerRole.Standalone, "server-a", "akka://palm"));
}
