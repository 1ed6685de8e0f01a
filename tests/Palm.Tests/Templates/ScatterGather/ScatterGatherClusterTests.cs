using Palm.Servers;
using Palm.TestKit;
using Palm.Tests.Templates.Parallel;
using Palm.Tests.Support;
using Xunit;

namespace Palm.Tests.Templates.ScatterGather;

/// <summary>Scatter-gather servers across real remoting: every node its own actor system.</summary>
[Trait(TestCategories.Category, TestCategories.Cluster)]
public sealed class ScatterGatherClusterTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);

    private static string Expected(string input) => string.Join("+", input.Split(',').Select(p => p.ToUpperInvariant()));

    [Fact]
    public async Task Scatter_gather_server_gathers_every_part_in_scatter_order_over_two_workers()
    {
        await using var cluster = await PalmTestCluster.StartAsync();
        await cluster.StartServerAsync<SplitJoinServer>("sg", ServerRole.Leader);
        await cluster.StartServerAsync<SplitJoinServer>("sg", ServerRole.Worker);
        await cluster.StartServerAsync<SplitJoinServer>("sg", ServerRole.Worker);
        var client = await cluster.ConnectClientAsync();
        await AwaitAssertAsync(async () => Assert.Equal(2, (await client.GetStatusAsync()).Servers.Single(s => s.Role == "leader").Workers), Wait);

        var inputs = Enumerable.Range(0, 1000).Select(i => string.Join(',', Enumerable.Range(0, 1 + i % 8).Select(p => $"i{i}p{p}"))).ToArray();
        var results = await client.RunAll(["sg.upper"], inputs.Select(Text.Bytes), Wait);

        Jobs.AssertExactlyOnce(results, inputs.Length);
        Assert.All(results, r => Assert.Equal(Expected(inputs[r.InputIndex]), Text.Of(r.Payload)));
        var workers = (await client.GetStatusAsync()).Servers.Where(s => s.Role == "worker").ToArray();
        Assert.All(workers, w => Assert.True(w.MessagesIn > 0, $"worker {w.Node} got no part"));
    }

    [Fact]
    public async Task Scatter_gather_errors_name_the_part_or_the_template_function_and_other_inputs_go_on()
    {
        await using var cluster = await PalmTestCluster.StartAsync();
        await cluster.StartServerAsync<SplitJoinServer>("sg", ServerRole.Leader);
        await cluster.StartServerAsync<SplitJoinServer>("sg", ServerRole.Worker);
        await cluster.StartServerAsync<SplitJoinServer>("solo");   // standalone: the same, serially
        var client = await cluster.ConnectClientAsync();
        await AwaitAssertAsync(async () => Assert.Equal(1, (await client.GetStatusAsync()).Servers.Single(s => s.Role == "leader").Workers), Wait);

        foreach (var server in new[] { "sg", "solo" })
        {
            string[] inputs = ["a,b", "x,bad,y", "", "SCATTER!", "GATHER!", "c"];
            var results = await client.RunAll([server + ".upper"], inputs.Select(Text.Bytes), Wait);

            Assert.Equal(inputs.Length, results.Count);
            var byInput = results.ToDictionary(r => r.InputIndex);
            Assert.Equal("A+B", Text.Of(byInput[0].Payload));
            var part = byInput[1].Error!;
            Assert.Equal((server, "upper"), (part.Server, part.Function));
            Assert.Contains("Part 1 of 3", part.Message);
            Assert.Contains("bad part", part.Message);
            // No parts: a gather of no results, at once.
            Assert.Equal("<none>", Text.Of(byInput[2].Payload));
            Assert.Equal((server, "Scatter"), (byInput[3].Error!.Server, byInput[3].Error!.Function));
            Assert.Equal((server, "Gather"), (byInput[4].Error!.Server, byInput[4].Error!.Function));
            Assert.Equal("C", Text.Of(byInput[5].Payload));
        }
    }

    [Fact]
    public async Task Scatter_gather_server_re_dispatches_the_parts_of_a_worker_that_dies_and_gathers_each_part_once()
    {
        await using var cluster = await PalmTestCluster.StartAsync();
        await cluster.StartServerAsync<HeldPartsServer>("held", ServerRole.Leader);
        var dying = await cluster.StartServerAsync<HeldPartsServer>("held", ServerRole.Worker);
        var client = await cluster.ConnectClientAsync();
        await AwaitAssertAsync(async () => Assert.Equal(1, (await client.GetStatusAsync()).Servers.Single(s => s.Role == "leader").Workers), Wait);
        try
        {
            // The only worker takes the first parts and keeps them: it will die holding them.
            HeldPartsServer.Holding = true;
            var inputs = Enumerable.Range(0, 300).Select(i => string.Join(',', Enumerable.Range(0, 4).Select(p => $"i{i}p{p}"))).ToArray();
            var job = client.RunAll(["held.upper"], inputs.Select(Text.Bytes), Wait);
            await HeldPartsServer.Held.Task.WaitAsync(Wait);

            await cluster.StartServerAsync<HeldPartsServer>("held", ServerRole.Worker);
            // From the directory: a status request would wait on the held worker, which answers nothing.
            await cluster.Seed.WaitForServersAsync(["held"], Wait, minWorkers: 2);
            // Downed, not drained: what it held must go to the other worker.
            Akka.Cluster.Cluster.Get(cluster.Seed.System).Down(Akka.Actor.Address.Parse(dying.Address));

            var results = await job;
            Jobs.AssertExactlyOnce(results, inputs.Length);
            Assert.All(results, r => Assert.Equal(Expected(inputs[r.InputIndex]), Text.Of(r.Payload)));
        }
        finally
        {
            HeldPartsServer.Release.Set();
        }
    }
}
