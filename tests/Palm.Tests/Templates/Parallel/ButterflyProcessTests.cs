using System.Buffers.Binary;
using System.Diagnostics;
using System.Text.RegularExpressions;
using Palm.Client;
using Palm.Demo;
using Palm.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Palm.Tests.Templates.Parallel;

/// <summary>The demo pipeline with server C as a butterfly server, every node its own OS process.</summary>
[Trait(TestCategories.Category, TestCategories.Process)]
public sealed partial class ButterflyProcessTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);

    // Info lines too: a leader says at that level that a worker drained and how much it re-dispatched.
    private readonly DemoProcesses _nodes = new(DemoProcesses.FastFailureDetection + "\nakka.loglevel = INFO", Wait);

    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
    private readonly ITestOutputHelper _output;

    public ButterflyProcessTests(ITestOutputHelper output) : base(output: output) => _output = output;

    private void Phase(string what) => _output.WriteLine($"{_clock.Elapsed.TotalSeconds,6:F1} s  {what}");

    private Task<(DemoProcess Process, string Address)> Start(params string[] args) => _nodes.StartAsync(args);

    [Fact]
    public async Task Butterfly_server_loses_no_message_when_a_worker_process_is_killed()
    {
        var (_, seed) = await Start("seed");
        var started = await Task.WhenAll(
            Start("server", "a", "--seed", seed),
            Start("server", "b", "--seed", seed),
            Start("server", "c", "--role", "leader", "--seed", seed),
            Start("server", "c", "--role", "worker", "--seed", seed),
            Start("server", "c", "--role", "worker", "--seed", seed));
        var (leader, victim) = (started[2].Process, started[3].Process);
        Phase("6 processes up");
        await using var client = await PalmClient.ConnectAsync(seed);
        await client.WaitForServersAsync(DemoPipeline.Servers, Wait);
        await client.WaitForServersAsync(["c"], Wait, minWorkers: 2);
        await AwaitAssertAsync(async () => Assert.Equal(2, (await client.GetStatusAsync()).Servers.Single(s => s.Role == "leader").Workers), Wait);
        // The client's contact knows every server; each server's own node may learn the next hop a moment later.
        await AwaitAssertAsync(async () => Assert.StartsWith("trade 0 priced ", Text.Of(await client.EvalAsync(DemoPipeline.Route, DemoPipeline.Trade(0)))), Wait);
        Phase("client sees a, b, c, c's leader has 2 workers, and every node routes the pipeline");

        // Half the job, then the kill, then the other half: the killed worker is sent messages it never answers.
        const int count = 5000;
        var firstResults = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var job = client.RunAll(DemoPipeline.Route, Jobs.Gated(count / 2, count / 2, gate.Task, i => DemoPipeline.Trade(i)), Wait,
            onResult: n => { if (n == 1000) firstResults.TrySetResult(); });
        await firstResults.Task.WaitAsync(Wait);
        victim.Kill();
        Phase("1000 results in; worker killed");
        gate.SetResult();

        var results = await job;
        Phase("job complete");
        Jobs.AssertExactlyOnce(results, count);
        Assert.All(results, r => Assert.StartsWith($"trade {r.InputIndex} priced ", Text.Of(r.Payload)));
        await AwaitAssertAsync(() => Assert.Matches(RedispatchedSome(), leader.Output), Wait);
        Phase(RedispatchedSome().Match(leader.Output).Value);
    }

    [Fact]
    public async Task Butterfly_worker_process_stopped_with_SIGTERM_drains_and_nothing_is_computed_twice()
    {
        // The leader founds the cluster; two worker processes join it. The job calls c.price directly.
        var (leader, leaderAddress) = await Start("server", "c", "--role", "leader");
        var workers = await Task.WhenAll(
            Start("server", "c", "--role", "worker", "--seed", leaderAddress),
            Start("server", "c", "--role", "worker", "--seed", leaderAddress));
        var (victim, victimAddress) = workers[0];
        Phase("leader and 2 worker processes up");
        await using var client = await PalmClient.ConnectAsync(leaderAddress);
        await client.WaitForServersAsync(["c"], Wait, minWorkers: 2);
        await AwaitAssertAsync(async () => Assert.Equal(2, (await client.GetStatusAsync()).Servers.Single(s => s.Role == "leader").Workers), Wait);

        // Inputs flow as fast as the cluster takes them until the victim has left, then 1,000 more.
        const int cap = 400_000;
        var gone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sent = 0;
        async IAsyncEnumerable<byte[]> Source()
        {
            while (!gone.Task.IsCompleted && sent < cap - 1000)
            {
                yield return EnrichedTrade(sent++);
                if (sent % 100 == 0) await Task.Yield();
            }
            for (var i = 0; i < 1000; i++) yield return EnrichedTrade(sent++);
        }
        var seen = new int[cap];
        var wrong = 0;
        var results = 0;
        var underWay = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var job = Task.Run(async () =>
        {
            await foreach (var r in client.RunJob(["c.price"], Source()).WithTimeout(Wait))
            {
                seen[r.InputIndex]++;
                if (r.IsError || r.Payload.Length != 40 || BinaryPrimitives.ReadInt64LittleEndian(r.Payload.Span[16..]) != r.InputIndex) wrong++;
                if (++results == 5000) underWay.TrySetResult();
            }
        });
        await underWay.Task.WaitAsync(Wait);

        using (var kill = Process.Start("kill", ["-TERM", victim.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            await kill.WaitForExitAsync();
        Phase("5000 results in; SIGTERM sent to a worker");
        // The victim's worker leaves the leader's directory only after its drain, then its process ends by itself.
        var victimLeft = new Regex(Regex.Escape(victimAddress) + @"/user/palm/worker-c-\d+ of server 'c' left the directory; re-dispatching its (\d+) unanswered");
        await AwaitAssertAsync(() => Assert.Matches(victimLeft, leader.Output), Wait);
        await AwaitAssertAsync(() => Assert.True(HasExited(victim.Pid), "the worker process did not end after SIGTERM"), Wait);
        Phase("the worker left and its process ended");
        gone.SetResult();

        await job.WaitAsync(Wait);
        Phase($"job complete: {sent} inputs");
        var missing = Enumerable.Range(0, sent).Count(i => seen[i] == 0);
        var duplicated = Enumerable.Range(0, sent).Count(i => seen[i] > 1);
        Assert.True((missing, duplicated, wrong, results) == (0, 0, 0, sent), $"{results} results for {sent} inputs: {missing} missing, {duplicated} duplicated, {wrong} wrong.");

        // It drained (the leader's word), nothing of it was re-dispatched, and nothing at all was lost in transit.
        var output = leader.Output;
        var drained = new Regex(Regex.Escape(victimAddress) + @"/user/palm/worker-c-\d+ of server 'c' drained: it holds none of the (\d+) messages");
        Assert.Matches(drained, output);
        Phase(drained.Match(output).Value);
        Assert.Equal("0", victimLeft.Match(output).Groups[1].Value);
        Assert.DoesNotMatch(RedispatchedSome(), output);
        Assert.DoesNotContain("never answered", output, StringComparison.Ordinal);
        Assert.Contains(" drained in ", victim.Output, StringComparison.Ordinal);
    }

    /// <summary>What server C's <c>price</c> takes: notional, rate, trade id and spread, as B's <c>enrich</c> writes them.</summary>
    private static byte[] EnrichedTrade(int i)
    {
        var trade = new byte[32];
        BinaryPrimitives.WriteDoubleLittleEndian(trade.AsSpan(0), 1_000_000 + i % 1000);
        BinaryPrimitives.WriteDoubleLittleEndian(trade.AsSpan(8), 0.01 + i % 7 * 0.005);
        BinaryPrimitives.WriteInt64LittleEndian(trade.AsSpan(16), i);
        BinaryPrimitives.WriteDoubleLittleEndian(trade.AsSpan(24), 0.005);
        return trade;
    }

    private static bool HasExited(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return process.HasExited;
        }
        catch (ArgumentException)
        {
            return true;
        }
    }

    [GeneratedRegex(@"re-dispatching its [1-9]\d* unanswered")]
    private static partial Regex RedispatchedSome();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _nodes.Dispose();
        }
        base.Dispose(disposing);
    }
}
