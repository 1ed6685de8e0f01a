using Akka.Actor;
using Palm.Discovery;
using Palm.Hosting.Internal;
using Palm.Transport;
using Palm.Transport.Internal;
using Palm.Tests.Support;
using Xunit;

namespace Palm.Tests.Transport;

/// <summary>
/// Who is handed a lane secret (and with it the lane's port): a node hands one to the members of its
/// cluster and to its connected clients, a client to the nodes of its cluster; a stranger asks in vain.
/// </summary>
[Trait(TestCategories.Category, TestCategories.Cluster)]
public sealed class LaneAdmissionTests(IdentityCluster fixture) : IClassFixture<IdentityCluster>
{
    // Past the time a request from a system not admitted yet waits before it is dropped.
    private static readonly TimeSpan Unanswered = LaneActor.AdmissionWait + TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private static Address AddressOf(ActorSystem system) => ((ExtendedActorSystem)system).Provider.DefaultAddress;

    /// <summary>Asks <paramref name="of"/>'s lane actor for its endpoint, from <paramref name="from"/>.</summary>
    private static Task<LaneEndpoint> AskEndpointAsync(ActorSystem from, ActorSystem of, TimeSpan timeout)
    {
        var lane = ((ExtendedActorSystem)from).Provider.ResolveActorRef(new RootActorPath(AddressOf(of)) / "system" / LaneActor.Name);
        return lane.Ask<LaneEndpoint>(LaneEndpointRequest.Instance, timeout);
    }

    [Fact]
    public async Task A_stranger_is_handed_no_lane_secret_nor_port_by_a_node_or_a_client()
    {
        var asks = new[] { fixture.A.System, fixture.B.System, fixture.Client.System }
            .Select(of => AskEndpointAsync(fixture.Stranger, of, Unanswered)).ToArray();

        foreach (var ask in asks) await Assert.ThrowsAsync<AskTimeoutException>(() => ask);
        var stranger = AddressOf(fixture.Stranger);
        Assert.False(DataLanes.Get(fixture.A.System).IsAdmitted(stranger));
        Assert.False(DataLanes.Get(fixture.Client.System).IsAdmitted(stranger));
    }

    [Fact]
    public async Task Members_and_connected_clients_are_handed_lane_secrets_and_a_client_hands_its_own_to_the_nodes_it_knows()
    {
        // A member of the cluster asking another; the client asking a node it did not subscribe at (it said hello);
        // a node asking the client (to send it results).
        foreach (var (from, of) in new[] { (fixture.B.System, fixture.A.System), (fixture.Client.System, fixture.B.System), (fixture.A.System, fixture.Client.System) })
        {
            var endpoint = await AskEndpointAsync(from, of, Wait);
            Assert.NotEqual(0, endpoint.Port);
            Assert.True(DataLanes.Get(of).Inbox!.Identities.TryResolve(endpoint.Secret, out var boundTo));
            Assert.Equal(AddressOf(from), boundTo);
        }
    }

    [Fact]
    public async Task A_system_that_says_hello_as_a_client_is_a_connected_client_until_its_client_actor_stops()
    {
        var stranger = AddressOf(fixture.Stranger);
        var lanes = DataLanes.Get(fixture.A.System);
        Assert.False(lanes.IsAdmitted(stranger));

        // Without TLS anyone may connect as a client: saying hello is what makes one.
        var client = fixture.Stranger.ActorOf(Props.Empty, "would-be-client");
        fixture.Stranger.ActorSelection(new RootActorPath(AddressOf(fixture.A.System)) / "user" / NodeActor.Name).Tell(ClientHello.Instance, client);
        var endpoint = await AskEndpointAsync(fixture.Stranger, fixture.A.System, Wait);
        Assert.NotEqual(Guid.Empty, endpoint.Secret);

        // Its client actor gone, the node forgets it: its next request would go unanswered.
        await client.GracefulStop(Wait);
        await Eventually.AssertAsync(() => Assert.False(lanes.IsAdmitted(stranger), "node A still counts the stranger as a connected client after its client actor stopped"), Wait);
    }
}
