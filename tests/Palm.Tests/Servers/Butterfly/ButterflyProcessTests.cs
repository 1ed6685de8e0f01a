using System.Text.RegularExpressions;
using Palm.Client;
using Palm.Demo;
using Palm.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Palm.Tests.Servers.Butterfly;

/// <summary>The demo pipeline with server C as a butterfly server, every node its own OS process.</summary>
public sealed partial class ButterflyProcessTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);

    // Notice the killed process within seconds: the job waits for its messages until the leader knows it is gone.
    private const string FastFailureDetection = """
        akka.cluster.failure-detector.acceptable-heartbeat-pause = 3s
        akka.cluster.split-brain-resolver.stable-after = 2s
        akka.remote.watch-failure-detector.acceptable-heartbeat-pause = 3s
        """;

    private readonly string _config = WriteConfig();
    private readonly List<DemoProcess> _processes = [];

    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
    private readonly ITestOutputHelper _output;

    public ButterflyProcessTests(ITestOutputHelper output) : base(output: output) => _output = output;

    private static string WriteConfig()
    {
        var path = Path.Combine(Path.GetTempPath(), $"palm-butterfly-{Guid.NewGuid():N}.conf");
        File.WriteAllText(path, FastFailureDetection);
        return path;
    }

    private void Phase(string what) => _output.WriteLine($"{_clock.Elapsed.TotalSeconds,6:F1} s  {what}");

    private async Task<(DemoProcess Process, string Address)> Start(params string[] args)
    {
        var started = await DemoProcess.StartAsync(Wait, [.. args, "--config", _config]);
        lock (_processes) _processes.Add(started.Process);
        return started;
    }

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
        await AwaitAssertAsync(async () => Assert.Equal(2, (await client.GetStatusAsync()).Single(s => s.Role == "leader").Workers), Wait);
        Phase("client sees a, b, c and c's leader has 2 workers");

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

    [GeneratedRegex(@"re-dispatching its [1-9]\d* unanswered")]
    private static partial Regex RedispatchedSome();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            lock (_processes)
                foreach (var p in _processes) p.Dispose();
            File.Delete(_config);
        }
        base.Dispose(disposing);
    }
}
