using System.Diagnostics;
using Akka.Configuration;
using Palm.Hosting;
using Palm.Messages;
using Palm.Tests.Support;
using Xunit;

namespace Palm.Tests.Hosting;

/// <summary>
/// A node knows which cluster it meant to join: it says whether it founded one or joined through a seed, a
/// node whose seed nodes are others never founds one of its own, and one that reaches no seed fails within
/// the connect timeout naming every seed and what trying it met.
/// </summary>
[Trait(TestCategories.Category, TestCategories.Cluster)]
public sealed class ClusterJoinTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private static NodeOptions Options(int port, IReadOnlyList<string> seeds, string hocon = "") =>
        new() { Port = port, Seeds = seeds, Config = ConfigurationFactory.ParseString(hocon) };

    private static string At(int port) => $"akka.tcp://palm@127.0.0.1:{port}";

    [Fact]
    public async Task A_node_without_seed_nodes_says_it_founded_a_new_cluster_and_one_that_joins_it_says_through_which_seed()
    {
        var (first, founded) = await PalmHost.StartAsync(new NodeOptions(), CancellationToken.None).WaitAsync(Wait);
        try
        {
            Assert.Equal("founding a new cluster (no seed nodes configured)", founded);
            var (second, joined) = await PalmHost.StartAsync(new NodeOptions { Seeds = [first.Address] }, CancellationToken.None).WaitAsync(Wait);
            try
            {
                Assert.Equal($"joined through seed node {first.Address} (2 members)", joined);
            }
            finally
            {
                await second.System.Terminate();
            }
        }
        finally
        {
            await first.System.Terminate();
        }
    }

    [Fact]
    public async Task The_first_seed_node_founds_a_cluster_when_no_other_seed_answers_and_says_so()
    {
        var port = FreePorts.Unused();
        var other = At(FreePorts.Unused());
        var options = Options(port, [At(port), other], "akka.cluster.seed-node-timeout = 1s");

        var (node, how) = await PalmHost.StartAsync(options, CancellationToken.None).WaitAsync(Wait);
        await node.System.Terminate();

        Assert.Equal($"founding a new cluster (it is the first seed node, and none of {other} answered)", how);
    }

    [Fact]
    public async Task A_node_whose_seed_nodes_are_others_never_founds_a_cluster_and_fails_naming_each_seed_within_the_connect_timeout()
    {
        // Itself second in the list: only the first seed node may found the cluster, and nothing listens there.
        var port = FreePorts.Unused();
        var nobody = At(FreePorts.Unused());
        var options = Options(port, [nobody, At(port)], "palm.connect-timeout = 3s");
        var clock = Stopwatch.StartNew();

        var failure = await Assert.ThrowsAsync<PalmConnectException>(() => PalmHost.StartAsync(options, CancellationToken.None)).WaitAsync(Wait);

        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(10));
        Assert.StartsWith($"Node {At(port)} could not join the cluster of its seed nodes within ", failure.Message);
        Assert.Contains("(palm.connect-timeout = 3 s)", failure.Message);
        Assert.Contains($"{nobody}: Connection refused", failure.Message);
        Assert.Contains($"{At(port)}: this node itself (only the first seed node may found the cluster)", failure.Message);
        Assert.Contains("never founds a cluster of its own", failure.Message);
    }

    [Fact]
    public async Task A_seed_with_another_system_name_is_named_as_the_cause()
    {
        var (seed, _) = await PalmHost.StartAsync(new NodeOptions(), CancellationToken.None).WaitAsync(Wait);
        try
        {
            var other = seed.Address.Replace("://palm@", "://pulm@", StringComparison.Ordinal);

            var failure = await Assert.ThrowsAsync<PalmConnectException>(() =>
                PalmHost.StartAsync(Options(0, [other], "palm.connect-timeout = 2s"), CancellationToken.None)).WaitAsync(Wait);

            Assert.Contains($"{other}: its system name is 'pulm', this node's is 'palm' (palm.system-name)", failure.Message);
        }
        finally
        {
            await seed.System.Terminate();
        }
    }
}
