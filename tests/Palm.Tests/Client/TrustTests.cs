using Akka.Actor;
using Palm.Configuration;
using Palm.Messages;
using Palm.TestKit;
using Palm.Tests.Support;
using Xunit;

namespace Palm.Tests.Client;

/// <summary>A client takes results only from nodes of the cluster it knows, for jobs it runs.</summary>
[Trait(TestCategories.Category, TestCategories.Cluster)]
public sealed class TrustTests
{
    [Fact]
    public async Task Forged_results_from_a_stranger_system_are_not_counted_and_the_job_gets_exactly_its_real_results()
    {
        await using var cluster = await PalmTestCluster.StartAsync();
        var name = Gate.UniqueName("gate");
        await cluster.StartServerAsync<GateServer>(name);
        var client = await cluster.ConnectClientAsync();
        await client.WaitForServersAsync([name], TimeSpan.FromSeconds(30));
        var stranger = ActorSystem.Create("stranger", PalmConfig.Client);
        var gate = Gate.For(name);
        try
        {
            var job = Task.Run(async () =>
            {
                var results = new List<string>();
                await foreach (var r in client.RunJob([$"{name}.wait"], [Text.Bytes("a"), Text.Bytes("b")]).WithTimeout(TimeSpan.FromSeconds(60)))
                    results.Add(Text.Of(r.Payload));
                return results;
            });
            var jobId = await gate.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30));

            // The stranger knows the job id and the client's address, and claims both inputs are done.
            var clientAddress = ((ExtendedActorSystem)client.System).Provider.DefaultAddress;
            var target = await stranger.ActorSelection(client.Actor.Path.ToStringWithAddress(clientAddress)).ResolveOne(TimeSpan.FromSeconds(10));
            var forged = new ResultBatch(jobId, [
                new ResultItem(0, Weights.Whole, ResultKind.Payload, Text.Bytes("forged"), null),
                new ResultItem(1, Weights.Whole, ResultKind.Payload, Text.Bytes("forged"), null)]);
            target.Tell(forged, ActorRefs.NoSender);
            var impostor = stranger.ActorOf(Props.Empty, "impostor");
            target.Tell(forged, impostor);
            await AwaitCount(() => client.Counters.Untrusted, 2);

            gate.Open.TrySetResult();
            var results = await job.WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(["a!", "b!"], results.Order());
            Assert.Equal(0, client.Counters.Duplicates);
        }
        finally
        {
            gate.Open.TrySetResult();
            await stranger.Terminate();
        }
    }

    private static Task AwaitCount(Func<long> count, long expected) =>
        Eventually.AssertAsync(() => Assert.Equal(expected, count()), TimeSpan.FromSeconds(20));
}
