using Palm.Client;
using Palm.Demo;
using Palm.Tests.Support;
using Xunit;

namespace Palm.Tests.Cluster;

/// <summary>The demo pipeline with every node in its own OS process, as in production.</summary>
public sealed class ProcessClusterTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_job_runs_across_a_seed_and_three_servers_in_separate_processes()
    {
        var (seed, seedAddress) = await DemoProcess.StartAsync(StartTimeout, "seed");
        using var _ = seed;
        var servers = await Task.WhenAll(new[] { "a", "b", "c" }.Select(name =>
            DemoProcess.StartAsync(StartTimeout, "server", name, "--seed", seedAddress)));
        try
        {
            Assert.Equal(4, new[] { seed.Pid }.Concat(servers.Select(s => s.Process.Pid)).Distinct().Count());
            await using var client = await PalmClient.ConnectAsync(seedAddress);
            await client.WaitForServersAsync(DemoPipeline.Servers, TimeSpan.FromSeconds(30));

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
        finally
        {
            foreach (var (process, _) in servers) process.Dispose();
        }
    }

    [Fact]
    public async Task The_demo_client_command_runs_the_job_against_a_cluster_of_processes()
    {
        var (seed, seedAddress) = await DemoProcess.StartAsync(StartTimeout, "seed");
        using var _ = seed;
        var servers = await Task.WhenAll(new[] { "a", "b", "c" }.Select(name =>
            DemoProcess.StartAsync(StartTimeout, "server", name, "--seed", seedAddress)));
        try
        {
            var (exitCode, output) = await DemoProcess.RunToEndAsync(StartTimeout, "client", "--seed", seedAddress, "--count", "500");
            Assert.True(exitCode == 0, output);
            Assert.Contains("results    : 500 (0 duplicates)", output);
            Assert.Contains("errors     : 0", output);
        }
        finally
        {
            foreach (var (process, _) in servers) process.Dispose();
        }
    }
}
