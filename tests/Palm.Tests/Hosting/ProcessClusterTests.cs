using Palm.Client;
using Palm.Demo;
using Palm.Tests.Support;
using Xunit;

namespace Palm.Tests.Hosting;

/// <summary>The demo pipeline with every node in its own OS process, as in production.</summary>
[Trait(TestCategories.Category, TestCategories.Process)]
public sealed class ProcessClusterTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    /// <summary>A seed process and one process per demo server; disposing kills them, by PID.</summary>
    private sealed class DemoCluster : IDisposable
    {
        public required DemoProcess Seed { get; init; }
        public required string SeedAddress { get; init; }
        public required DemoProcess[] Servers { get; init; }

        public static async Task<DemoCluster> StartAsync()
        {
            var (seed, address) = await DemoProcess.StartAsync(StartTimeout, "seed");
            try
            {
                var servers = await Task.WhenAll(DemoPipeline.Servers.Select(name =>
                    DemoProcess.StartAsync(StartTimeout, "server", name, "--seed", address)));
                return new DemoCluster { Seed = seed, SeedAddress = address, Servers = servers.Select(s => s.Process).ToArray() };
            }
            catch
            {
                seed.Dispose();
                throw;
            }
        }

        public void Dispose()
        {
            foreach (var server in Servers) server.Dispose();
            Seed.Dispose();
        }
    }

    [Fact]
    public async Task A_job_runs_across_a_seed_and_three_servers_in_separate_processes()
    {
        using var cluster = await DemoCluster.StartAsync();
        Assert.Equal(4, cluster.Servers.Append(cluster.Seed).Select(p => p.Pid).Distinct().Count());
        await using var client = await PalmClient.ConnectAsync(cluster.SeedAddress);
        await client.WaitForServersAsync(DemoPipeline.Servers, TimeSpan.FromSeconds(30));
        // The client's contact knows every server; each server's own node may learn the next hop a moment later.
        await Eventually.AssertAsync(async () => Assert.StartsWith("trade 0 priced ",
            Text.Of(await client.EvalAsync(DemoPipeline.Route, DemoPipeline.Trade(0)))), TimeSpan.FromSeconds(30));

        const int count = 3000;
        var seen = new HashSet<long>();
        await foreach (var r in client.RunJob(DemoPipeline.Route, Enumerable.Range(0, count).Select(i => DemoPipeline.Trade(i))).WithTimeout(TimeSpan.FromSeconds(60)))
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
        using var cluster = await DemoCluster.StartAsync();
        var (exitCode, output) = await DemoProcess.RunToEndAsync(StartTimeout, "client", "--seed", cluster.SeedAddress, "--count", "500");
        Assert.True(exitCode == 0, output);
        Assert.Contains("results    : 500 (0 duplicates)", output);
        Assert.Contains("errors     : 0", output);
    }
}
