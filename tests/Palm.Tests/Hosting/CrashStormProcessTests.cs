using System.Text;
using Palm.Client;
using Palm.Servers;
using Palm.Tests.Templates.Parallel;
using Palm.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Palm.Tests.Hosting;

/// <summary>
/// An operator's bad day: a farm of worker processes killed (SIGKILL) one after another, faster than the
/// cluster can down them, each replaced by a new process, while a job runs. Every node is its own OS process.
/// </summary>
[Trait(TestCategories.Category, TestCategories.Process)]
public sealed class CrashStormProcessTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(120);

    // The tests' usual fast failure detection, and Palm's own split-brain settings (hocon/cluster.conf) otherwise.
    private readonly DemoProcesses _nodes = new(DemoProcesses.FastFailureDetection, Wait);
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();

    private void Phase(string what) => output.WriteLine($"{_clock.Elapsed.TotalSeconds,6:F1} s  {what}");

    private Task<(DemoProcess Process, string Address)> Start(params string[] args) => _nodes.StartAsync(args);

    [Fact]
    public async Task A_storm_of_killed_workers_loses_nothing_and_never_takes_the_leader_or_the_seed_down()
    {
        const int kills = 6;
        const int count = 20_000;
        var (seedProcess, seed) = await Start("seed");
        var (leader, _) = await Start("server", "farm", "--role", "leader", "--seed", seed);
        var workers = new List<DemoProcess>();
        foreach (var started in await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Start("server", "farm", "--role", "worker", "--seed", seed))))
            workers.Add(started.Process);
        await using var client = await PalmClient.ConnectAsync(seed);
        await client.WaitForServersAsync(["farm"], Wait, minWorkers: 4);
        Phase("seed, leader and 4 workers up");

        // The job spans the whole storm: the source paces itself (500 inputs every 400 ms) and holds
        // its last 500 inputs until the storm is over, however fast the machine.
        var stormOver = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async IAsyncEnumerable<byte[]> Inputs()
        {
            for (var i = 0; i < count; i++)
            {
                if (i == count - 500) await stormOver.Task;
                // The source's own pace, not synchronization: the job must span the storm however fast the machine.
                else if (i % 500 == 499 && !stormOver.Task.IsCompleted) await Task.WhenAny(Task.Delay(400), stormOver.Task);
                yield return Encoding.UTF8.GetBytes(i.ToString());
            }
        }
        var job = client.RunAll(["farm.work"], Inputs(), Wait);

        var random = new Random(20261128);
        var replacements = new List<Task<(DemoProcess Process, string Address)>>();
        for (var k = 0; k < kills; k++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(random.Next(1500, 3000)));
            Assert.False(job.IsCompleted, $"the job ended before kill {k + 1}; the storm must happen while it runs");
            // On a loaded machine replacements may take longer to start than the storm takes to kill:
            // then the next victim is the first replacement to come up (within the test's wait: a cluster
            // that lets no replacement join must fail the test, not keep it starting processes).
            var victimDeadline = DateTime.UtcNow + Wait;
            while (true)
            {
                Assert.True(DateTime.UtcNow < victimDeadline, $"no worker up to kill for {Wait} before kill {k + 1}");
                lock (workers)
                    if (workers.Count > 0) break;
                var starting = replacements.Where(r => !r.IsCompleted).ToArray();
                // Every replacement up has been killed already, or one failed to start (the assertion
                // on replacements below reports that): start one more to have a victim.
                if (starting.Length == 0) replacements.Add(StartReplacement());
                else await Task.WhenAny(starting).WaitAsync(Wait);
            }
            DemoProcess victim;
            lock (workers)
            {
                victim = workers[random.Next(workers.Count)];
                workers.Remove(victim);
            }
            victim.Kill();
            replacements.Add(StartReplacement());
            Phase($"kill {k + 1}: worker pid {victim.Pid} killed, a replacement starting");
        }
        stormOver.SetResult();

        List<JobResult> results;
        try
        {
            results = await job;
        }
        catch (Exception)
        {
            // What the seed and the leader saw is the only way to tell why a storm took the farm down.
            output.WriteLine($"--- seed:\n{seedProcess.Output}\n--- leader:\n{leader.Output}");
            throw;
        }
        Phase($"job complete with {results.Count} results");
        Jobs.AssertExactlyOnce(results, count);
        Assert.All(results, r => Assert.Equal($"done:{r.InputIndex}", Text.Of(r.Payload)));

        // Every replacement joined while dead workers were still unreachable, and took work.
        var joined = await Task.WhenAll(replacements);
        Phase($"{joined.Length} replacements up");
        var replacementAddresses = joined.Select(j => j.Address).ToHashSet();
        // A replacement's counters show once it answers status (the dead, silent meanwhile, never make status fail).
        await Eventually.AssertAsync(async () => Assert.Contains((await client.GetStatusAsync()).Servers,
            s => s.Role == "worker" && s.State == Palm.Servers.ServerState.Up && replacementAddresses.Contains(s.Node) && s.MessagesIn > 0), Wait);
        Assert.False(seedProcess.HasExited, "the seed left:\n" + seedProcess.Output);
        Assert.False(leader.HasExited, "the leader left:\n" + leader.Output);
        // The dead were downed one by one by Palm's downing on the oldest core node, the seed.
        Assert.Contains("Palm downing: worker", seedProcess.Output);
        Assert.Equal("done:after", Text.Of(await client.EvalAsync(["farm.work"], Encoding.UTF8.GetBytes("after"))));

        async Task<(DemoProcess Process, string Address)> StartReplacement()
        {
            var started = await Start("server", "farm", "--role", "worker", "--seed", seed);
            lock (workers) workers.Add(started.Process);
            return started;
        }
    }

    public void Dispose() => _nodes.Dispose();
}
