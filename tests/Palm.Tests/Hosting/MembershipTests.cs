using Akka.Actor;
using Palm.Client;
using Palm.Discovery;
using Palm.Messages;
using Palm.Servers;
using Palm.TestKit;
using Palm.Tests.Support;
using Xunit;
using AkkaCluster = Akka.Cluster.Cluster;

namespace Palm.Tests.Hosting;

/// <summary>A server that holds each message until the test releases it, so a job is surely running.</summary>
public sealed class GateServer : RegisteredServer
{
    [PalmFunction("hold")]
    public async Task<byte[]> Hold(byte[] payload)
    {
        await Task.Delay(TimeSpan.FromMilliseconds(50));
        return payload;
    }
}

/// <summary>Nodes and clients joining and leaving a running cluster.</summary>
[Trait(TestCategories.Category, TestCategories.Cluster)]
public sealed class MembershipTests
{
    [Fact]
    public async Task Clients_connect_run_a_job_and_disconnect_100_times_and_the_cluster_is_unaffected()
    {
        await using var cluster = await PalmTestCluster.StartAsync();
        await cluster.StartServerAsync<SuffixServer>("x");
        var seedNode = cluster.Seed.System.ActorSelection("/user/palm");

        for (var i = 0; i < 100; i++)
        {
            await using var client = await PalmClient.ConnectAsync(cluster.Seed.Address);
            var results = new List<JobResult>();
            await foreach (var r in client.RunJob(["x.tag"], [Text.Bytes($"c{i}"), Text.Bytes("two")]).WithTimeout(TimeSpan.FromSeconds(20)))
                results.Add(r);
            Assert.Equal([$"c{i}>x", "two>x"], results.Select(r => Text.Of(r.Payload)).Order());
        }

        // Clients never joined the cluster: membership is exactly the two nodes, all Up, none unreachable.
        var state = AkkaCluster.Get(cluster.Seed.System).State;
        Assert.Equal(2, state.Members.Count);
        Assert.All(state.Members, m => Assert.Equal(Akka.Cluster.MemberStatus.Up, m.Status));
        Assert.Empty(state.Unreachable);
        // Every client unsubscribed from its contact node on leaving: nothing accumulates there.
        Assert.Equal(0, await seedNode.Ask<int>(GetSubscriberCount.Instance, TimeSpan.FromSeconds(5)));

        await using var last = await cluster.ConnectClientAsync();
        Assert.Equal("ok>x", Text.Of(await last.EvalAsync(["x.tag"], Text.Bytes("ok"))));
    }

    [Fact]
    public async Task A_job_fails_with_an_error_naming_the_server_that_left_instead_of_hanging()
    {
        await using var cluster = await PalmTestCluster.StartAsync();
        await cluster.StartServerAsync<SuffixServer>("x");
        var gateNode = await cluster.StartServerAsync<GateServer>("gate");
        var client = await cluster.ConnectClientAsync();
        await client.WaitForServersAsync(["x", "gate"], TimeSpan.FromSeconds(30));

        static async IAsyncEnumerable<byte[]?> Endless()
        {
            for (var i = 0; ; i++)
            {
                yield return Text.Bytes($"m{i}");
                await Task.Yield();
            }
        }

        var failure = await Assert.ThrowsAsync<PalmJobFailedException>(async () =>
        {
            Task? stopping = null;
            await foreach (var _ in client.RunJob(["x.tag", "gate.hold"], Endless()).WithTimeout(TimeSpan.FromSeconds(60)))
            {
                // Results are flowing, so the job is surely running through 'gate': take its node away.
                stopping ??= cluster.StopNodeAsync(gateNode);
            }
        });
        Assert.Contains("server 'gate'", failure.Message);
        Assert.Equal(("gate", "hold"), (failure.Server, failure.Function));

        // The rest of the cluster still serves.
        Assert.Equal("after>x", Text.Of(await client.EvalAsync(["x.tag"], Text.Bytes("after"))));
    }

    [Fact]
    public async Task A_server_started_on_a_node_that_joins_later_is_found_by_name()
    {
        await using var cluster = await PalmTestCluster.StartAsync();
        var client = await cluster.ConnectClientAsync();
        Assert.Throws<PalmRouteException>(() => client.RunJob(["late.tag"], [Text.Bytes("a")]));

        await cluster.StartServerAsync<SuffixServer>("late");
        await client.WaitForServersAsync(["late"], TimeSpan.FromSeconds(30));
        Assert.Equal("a>late", Text.Of(await client.EvalAsync(["late.tag"], Text.Bytes("a"))));
    }
}
