using Palm.Client;
using Palm.Tests.Templates.Parallel;
using Palm.Tests.Support;
using Xunit;

namespace Palm.Tests.Templates.Reduce;

/// <summary>The demo's reduce server (<c>total</c>) with every node its own OS process.</summary>
[Trait(TestCategories.Category, TestCategories.Process)]
public sealed class ReduceProcessTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);

    private readonly DemoProcesses _nodes = new(DemoProcesses.FastFailureDetection, Wait);

    protected override void Dispose(bool disposing)
    {
        if (disposing) _nodes.Dispose();
        base.Dispose(disposing);
    }

    [Fact]
    public async Task Reduce_sum_is_exact_when_a_worker_process_is_killed_mid_job()
    {
        var (_, seed) = await _nodes.StartAsync("seed");
        var started = await Task.WhenAll(
            _nodes.StartAsync("server", "total", "--role", "leader", "--seed", seed),
            _nodes.StartAsync("server", "total", "--role", "worker", "--seed", seed),
            _nodes.StartAsync("server", "total", "--role", "worker", "--seed", seed));
        var victim = started[1].Process;
        await using var client = await PalmClient.ConnectAsync(seed);
        await client.WaitForServersAsync(["total"], Wait, minWorkers: 2);
        await AwaitAssertAsync(async () => Assert.Equal(2, (await client.GetStatusAsync()).Servers.Single(s => s.Role == "leader").Workers), Wait);

        // Half the inputs, the kill (the victim holds some of them unanswered), then the other half.
        const int count = 100_000;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var job = client.RunAll(["total.add"], Jobs.Gated(count / 2, count / 2, gate.Task, i => Int64s.Bytes(i + 1)), Wait);
        await AwaitAssertAsync(async () => Assert.True((await client.GetStatusAsync()).Servers.Single(s => s.Role == "leader").MessagesIn >= count / 4), Wait);
        victim.Kill();
        gate.SetResult();

        var result = Assert.Single(await job);
        Assert.False(result.IsError, result.ToString());
        Assert.Equal(5_000_050_000L, Int64s.Of(result.Payload));
    }
}
