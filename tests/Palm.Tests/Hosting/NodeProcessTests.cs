using Palm.Client;
using Palm.Servers;
using Palm.Tests.Support;
using Xunit;

namespace Palm.Tests.Hosting;

/// <summary>Nodes as operators run them, each its own OS process: configured by environment variables, paused by the OS.</summary>
[Trait(TestCategories.Category, TestCategories.Process)]
public sealed class NodeProcessTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    private readonly DemoProcesses _nodes = new(DemoProcesses.FastFailureDetection, Wait);

    public void Dispose() => _nodes.Dispose();

    [Fact]
    public async Task A_server_given_only_PALM_SEEDS_and_PALM_PORT_joins_through_that_seed_and_listens_on_that_port()
    {
        var (_, seed) = await _nodes.StartAsync("seed");
        var port = FreePorts.Unused();

        using var server = DemoProcess.LaunchWith(new Dictionary<string, string> { ["PALM_SEEDS"] = seed, ["PALM_PORT"] = port.ToString() }, "server", "a");
        var address = await server.UpAddress.WaitAsync(Wait);

        Assert.EndsWith($":{port}", address);
        Assert.Contains($"joined through seed node {seed}", server.Output);
        await using var client = await PalmClient.ConnectAsync(seed);
        await client.WaitForServersAsync(["a"], Wait);
    }

    [Fact]
    public async Task A_paused_contact_node_is_listed_silent_while_status_still_answers_within_its_bound_and_lists_the_rest()
    {
        var (seedProcess, seed) = await _nodes.StartAsync("seed");
        var (_, serverNode) = await _nodes.StartAsync("server", "a", "--seed", seed);
        await using var client = await PalmClient.ConnectAsync(seed);
        await client.WaitForServersAsync(["a"], Wait);
        Assert.True((await client.GetStatusAsync()).Healthy);

        seedProcess.Pause();
        try
        {
            var bound = TimeSpan.FromSeconds(2);
            var asked = System.Diagnostics.Stopwatch.StartNew();
            var status = await client.GetStatusAsync(bound);
            asked.Stop();

            Assert.InRange(asked.Elapsed, TimeSpan.Zero, bound + TimeSpan.FromSeconds(2));
            Assert.False(status.Healthy);
            Assert.False(status.Nodes.Single(n => n.Address == seed).Answered);
            // The server's own node still answers, and the server with it.
            Assert.True(status.Nodes.Single(n => n.Address == serverNode).Answered);
            Assert.Equal(ServerState.Up, status.Servers.Single(s => s.Name == "a").State);
        }
        finally
        {
            seedProcess.Resume();
        }
        // Once the contact runs again, all is well again.
        await Eventually.AssertAsync(async () => Assert.True((await client.GetStatusAsync()).Healthy), Wait);
    }
}
