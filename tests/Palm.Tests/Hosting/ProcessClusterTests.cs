using Palm.Client;
using Palm.Demo;
using Palm.Tests.Support;
using Xunit;

namespace Palm.Tests.Hosting;

/// <summary>A seed process and one process per demo server, shared by the tests of <see cref="ProcessClusterTests"/>; disposing kills them, by PID.</summary>
public sealed class DemoProcessCluster : IAsyncLifetime
{
    /// <summary>How long a process may take to come up, and a job or the client command to end.</summary>
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    private readonly DemoProcesses _nodes = new("", Wait);

    /// <summary>The seed node's address.</summary>
    public string Seed { get; private set; } = "";

    /// <summary>The process ids of the seed and the servers.</summary>
    public IReadOnlyList<int> Pids => _nodes.Pids;

    public async Task InitializeAsync()
    {
        (_, Seed) = await _nodes.StartAsync("seed");
        await Task.WhenAll(DemoPipeline.Servers.Select(name => _nodes.StartAsync("server", name, "--seed", Seed)));
    }

    public Task DisposeAsync()
    {
        _nodes.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>The demo pipeline with every node in its own OS process, as in production.</summary>
[Trait(TestCategories.Category, TestCategories.Process)]
public sealed class ProcessClusterTests(DemoProcessCluster cluster) : IClassFixture<DemoProcessCluster>
{
    private static readonly TimeSpan Wait = DemoProcessCluster.Wait;

    [Fact]
    public async Task A_job_runs_across_a_seed_and_three_servers_in_separate_processes()
    {
        Assert.Equal(4, cluster.Pids.Distinct().Count());
        await using var client = await PalmClient.ConnectAsync(cluster.Seed);
        await client.WaitForServersAsync(DemoPipeline.Servers, TimeSpan.FromSeconds(30));
        // The client's contact knows every server; each server's own node may learn the next hop a moment later.
        await Eventually.AssertAsync(async () => Assert.StartsWith("trade 0 priced ",
            Text.Of(await client.EvalAsync(DemoPipeline.Route, DemoPipeline.Trade(0)))), TimeSpan.FromSeconds(30));

        const int count = 3000;
        var seen = new HashSet<long>();
        await foreach (var r in client.RunJob(DemoPipeline.Route, Enumerable.Range(0, count).Select(i => DemoPipeline.Trade(i))).WithTimeout(Wait))
        {
            Assert.False(r.IsError, r.ToString());
            Assert.True(seen.Add(r.InputIndex), $"input {r.InputIndex} answered twice");
            Assert.StartsWith($"trade {r.InputIndex} priced ", Text.Of(r.Payload));
        }
        Assert.Equal(count, seen.Count);
    }

    [Fact]
    public async Task The_demo_client_command_runs_the_job_against_a_cluster_of_processes()
    {
        var (exitCode, output) = await DemoProcess.RunToEndAsync(Wait, "client", "--seed", cluster.Seed, "--count", "500");
        Assert.True(exitCode == 0, output);
        Assert.Contains("results    : 500 (0 duplicates)", output);
        Assert.Contains("errors     : 0", output);
    }
}
