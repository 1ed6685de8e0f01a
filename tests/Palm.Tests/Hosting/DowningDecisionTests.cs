using Akka.Actor;
using Akka.Cluster;
using Palm.Hosting;
using Palm.Hosting.Internal;
using Xunit;

namespace Palm.Tests.Hosting;

/// <summary>Palm's downing rules, decided from one node's view.</summary>
public sealed class DowningDecisionTests
{
    private static readonly DowningSettings Settings = new(StableAfter: TimeSpan.FromSeconds(5), UnreachableWorkersAfter: TimeSpan.FromSeconds(1));
    private const long Now = 100_000;

    private static UniqueAddress At(int port) => new(new Address("akka.tcp", "palm", "127.0.0.1", port), port);

    private static readonly UniqueAddress Seed = At(1), Leader = At(2), Other = At(3), W1 = At(11), W2 = At(12), W3 = At(13);

    private static DowningMember Core(UniqueAddress a, int rank, MemberStatus status = MemberStatus.Up) => new(a, true, status, rank);

    private static DowningMember Worker(UniqueAddress a, MemberStatus status = MemberStatus.Up) => new(a, false, status, 100 + a.Uid);

    private static IReadOnlyList<UniqueAddress> Decide(UniqueAddress self, DowningMember[] members, Dictionary<UniqueAddress, long> unreachableSince,
        long coreChangedAt = 0) => DowningDecision.Decide(self, members, unreachableSince, coreChangedAt, Now, Settings);

    [Fact]
    public void In_a_crash_storm_the_oldest_core_node_downs_each_dead_worker_after_a_moment_without_waiting_for_calm()
    {
        // W1 died 3 s ago and W2 1.5 s ago (W2 saw W1 die: Akka's resolver calls that "indirectly connected");
        // W3 has been unreachable for half a second only. Core reachability changed just now: irrelevant.
        var members = new[] { Core(Seed, 0), Core(Leader, 1), Worker(W1), Worker(W2), Worker(W3) };
        var unreachable = new Dictionary<UniqueAddress, long> { [W1] = Now - 3000, [W2] = Now - 1500, [W3] = Now - 500 };

        Assert.Equal([W1, W2], Decide(Seed, members, unreachable, coreChangedAt: Now).OrderBy(a => a.Uid));
        Assert.Empty(Decide(Leader, members, unreachable));
    }

    [Fact]
    public void A_worker_already_down_is_not_downed_again_and_a_downed_node_decides_nothing()
    {
        var unreachable = new Dictionary<UniqueAddress, long> { [W1] = Now - 3000 };

        Assert.Empty(Decide(Seed, [Core(Seed, 0), Worker(W1, MemberStatus.Down)], unreachable));
        Assert.Empty(Decide(Seed, [Core(Seed, 0, MemberStatus.Down), Worker(W1)], unreachable));
    }

    [Fact]
    public void A_core_node_still_joining_that_becomes_unreachable_is_downed_like_a_worker()
    {
        var members = new[] { Core(Seed, 0), Core(Leader, int.MaxValue, MemberStatus.Joining) };

        Assert.Equal([Leader], Decide(Seed, members, new() { [Leader] = Now - 2000 }));
    }

    [Fact]
    public void A_split_between_two_core_nodes_waits_for_stability_and_then_goes_to_the_side_of_the_oldest()
    {
        var members = new[] { Core(Seed, 0), Core(Leader, 1), Worker(W1), Worker(W2) };
        // The seed's side: the leader and W2 are unreachable; W1 still reachable.
        var seedView = new Dictionary<UniqueAddress, long> { [Leader] = Now - 6000, [W2] = Now - 6000 };

        Assert.Empty(Decide(Seed, members, seedView, coreChangedAt: Now - 4000));
        Assert.Equal([Leader, W2], Decide(Seed, members, seedView, coreChangedAt: Now - 6000).OrderBy(a => a.Uid));

        // The leader's side: it downs itself and no worker, since the workers it reaches may reach the seed too.
        var leaderView = new Dictionary<UniqueAddress, long> { [Seed] = Now - 6000 };
        Assert.Equal([Leader], Decide(Leader, members, leaderView, coreChangedAt: Now - 6000));
    }

    [Fact]
    public void A_majority_of_core_nodes_keeps_the_cluster_and_the_minority_downs_its_core_nodes()
    {
        var members = new[] { Core(Seed, 0), Core(Leader, 1), Core(Other, 2), Worker(W1) };

        // The oldest alone against two: it is the minority, whatever its age.
        Assert.Equal([Seed], Decide(Seed, members, new() { [Leader] = 0, [Other] = 0, [W1] = 0 }, coreChangedAt: 0));
        // The two others: the leader is the oldest it reaches, so it decides for both.
        var majority = new Dictionary<UniqueAddress, long> { [Seed] = 0 };
        Assert.Equal([Seed], Decide(Leader, members, majority, coreChangedAt: 0));
        Assert.Empty(Decide(Other, members, majority, coreChangedAt: 0));
    }

    [Fact]
    public void A_worker_that_reaches_no_core_node_downs_itself_once_that_is_stable_and_otherwise_decides_nothing()
    {
        var members = new[] { Core(Seed, 0), Core(Leader, 1), Worker(W1), Worker(W2) };
        var cutOff = new Dictionary<UniqueAddress, long> { [Seed] = 0, [Leader] = 0 };

        Assert.Equal([W1], Decide(W1, members, cutOff, coreChangedAt: 0));
        Assert.Empty(Decide(W1, members, cutOff, coreChangedAt: Now - 1000));
        Assert.Empty(Decide(W1, members, new() { [Seed] = 0, [W2] = 0 }, coreChangedAt: 0));
    }
}
