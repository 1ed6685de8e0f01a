using System.Diagnostics;
using System.Globalization;
using System.Text;
using Palm.Client;
using Palm.Messages;
using Palm.Tests.Support;
using Palm.Tests.Templates.Parallel;
using Xunit;
using Xunit.Abstractions;

namespace Palm.Tests.Hosting;

/// <summary>
/// What docs/deployment.md promises an operator who restarts servers while jobs run, every node its own OS
/// process: the workers of a parallel server replaced one by one (start the new one, SIGTERM the old one)
/// lose and repeat nothing and stall nothing longer than a drain; a serial server's restart fails the jobs
/// that run through it, by name, and the next job runs.
/// </summary>
[Trait(TestCategories.Category, TestCategories.Process)]
public sealed class RollingRestartProcessTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(120);

    /// <summary>palm.butterfly.drain-timeout in reference.conf: the longest a stopping worker may hold its work.</summary>
    private static readonly TimeSpan Drain = TimeSpan.FromSeconds(10);

    private readonly DemoProcesses _nodes = new(DemoProcesses.FastFailureDetection, Wait);
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private void Phase(string what) => output.WriteLine($"{_clock.Elapsed.TotalSeconds,6:F1} s  {what}");

    private Task<(DemoProcess Process, string Address)> Start(params string[] args) => _nodes.StartAsync(args);

    private static async Task Terminate(DemoProcess process)
    {
        using var kill = Process.Start("kill", ["-TERM", process.Pid.ToString(CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
    }

    [Fact]
    public async Task Replacing_every_worker_of_a_parallel_server_during_a_job_loses_and_repeats_nothing()
    {
        const int count = 20_000;
        var (_, seed) = await Start("seed");
        await Start("server", "farm", "--role", "leader", "--seed", seed);
        var originals = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Start("server", "farm", "--role", "worker", "--seed", seed)));
        await using var client = await PalmClient.ConnectAsync(seed);
        await client.WaitForServersAsync(["farm"], Wait, minWorkers: 2);
        Phase("seed, leader and 2 workers up");

        // Paced so the job spans the restarts, and its last 500 inputs wait until they are over. A wait
        // between two results counts as a stall only while the source is not itself waiting.
        var restarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var longestGap = TimeSpan.Zero;
        var last = Stopwatch.StartNew();
        var sourceWaiting = false;
        async IAsyncEnumerable<byte[]> Inputs()
        {
            for (var i = 0; i < count; i++)
            {
                if (i == count - 500 && !restarted.Task.IsCompleted)
                {
                    Volatile.Write(ref sourceWaiting, true);
                    await restarted.Task;
                    lock (last) last.Restart();
                    Volatile.Write(ref sourceWaiting, false);
                }
                // The source's own pace (500 inputs every 500 ms), not synchronization: it keeps work flowing
                // through the workers while they are replaced, instead of the job outrunning the restarts.
                else if (i % 500 == 499 && !restarted.Task.IsCompleted) await Task.WhenAny(Task.Delay(500), restarted.Task);
                yield return Encoding.UTF8.GetBytes(i.ToString(CultureInfo.InvariantCulture));
            }
        }
        var job = client.RunAll(["farm.work"], Inputs(), Wait, onResult: _ =>
        {
            lock (last)
            {
                if (!Volatile.Read(ref sourceWaiting) && last.Elapsed > longestGap) longestGap = last.Elapsed;
                last.Restart();
            }
        });

        foreach (var (old, _) in originals)
        {
            await Start("server", "farm", "--role", "worker", "--seed", seed);
            await client.WaitForServersAsync(["farm"], Wait, minWorkers: 3);
            Assert.False(job.IsCompleted, "the job ended before the restarts; they must happen while it runs");
            await Terminate(old);
            Assert.Equal(0, await old.WaitForExitAsync(Drain + TimeSpan.FromSeconds(20)));
            Phase($"worker pid {old.Pid} replaced: the new one is up, the old one drained and exited 0");
        }
        restarted.SetResult();

        var results = await job;
        Phase($"job complete: {results.Count} results, longest wait between two results {longestGap.TotalSeconds:F1} s");
        Jobs.AssertExactlyOnce(results, count);
        Assert.All(results, r => Assert.Equal($"done:{r.InputIndex}", Text.Of(r.Payload)));
        Assert.True(longestGap < Drain, $"the job stalled {longestGap} between two results, longer than a drain ({Drain})");
    }

    [Fact]
    public async Task A_serial_server_restarted_during_a_job_fails_that_job_by_name_and_the_next_job_runs()
    {
        var (_, seed) = await Start("seed");
        var (server, _) = await Start("server", "farm", "--seed", seed);
        await using var client = await PalmClient.ConnectAsync(seed);
        await client.WaitForServersAsync(["farm"], Wait);
        Phase("seed and a serial farm up");

        var underWay = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async IAsyncEnumerable<byte[]> Endless()
        {
            // Endless, and bounded by the job's window (backpressure): the client sends more only as results return.
            for (var i = 0; ; i++)
            {
                if (i % 100 == 99) await Task.Yield();
                yield return Encoding.UTF8.GetBytes(i.ToString(CultureInfo.InvariantCulture));
            }
        }
        var job = client.RunAll(["farm.work"], Endless(), Wait, onResult: n => { if (n == 500) underWay.TrySetResult(); });
        await underWay.Task.WaitAsync(Wait);
        await Terminate(server);
        Assert.Equal(0, await server.WaitForExitAsync(Wait));
        Phase("the serial server left the cluster (SIGTERM) and exited 0");

        var failure = await Assert.ThrowsAsync<PalmJobFailedException>(() => job);
        Phase($"the job failed: {failure.Message}");
        Assert.Contains("'farm'", failure.Message);

        await Start("server", "farm", "--seed", seed);
        await client.WaitForServersAsync(["farm"], Wait);
        var again = await client.RunAll(["farm.work"], Enumerable.Range(0, 1000).Select(i => Encoding.UTF8.GetBytes(i.ToString(CultureInfo.InvariantCulture))), Wait);
        Jobs.AssertExactlyOnce(again, 1000);
        Phase("a new server 'farm' is up and the next job ran exactly once");
    }

    /// <inheritdoc />
    public void Dispose() => _nodes.Dispose();
}
