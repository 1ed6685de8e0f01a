using System.Text.Json;
using Palm.Client;
using Palm.Hosting;
using Palm.Servers;
using Palm.Tool;
using Spectre.Console.Testing;
using Xunit;

namespace Palm.Tests.Tool;

/// <summary>What <c>palm status</c> shows: the tables (Spectre's test console), the verdict, the JSON, and the watch's loop and exit code.</summary>
public sealed class StatusViewTests
{
    private const string Seed = "akka.tcp://palm@10.0.0.1:4053";
    private const string Worker = "akka.tcp://palm@10.0.0.2:4053";

    private static readonly TimeSpan Within = TimeSpan.FromSeconds(10);

    /// <summary>A seed with serial server a and leader c, a worker node with c's worker; <paramref name="silent"/> makes the worker silent.</summary>
    private static ClusterStatus Status(bool silent = false) => new(
        new DateTimeOffset(2025, 3, 4, 5, 6, 7, TimeSpan.Zero), TimeSpan.FromSeconds(5), Seed, Seed,
        [
            new NodeStatus(Seed, NodeState.Up, true, TimeSpan.FromDays(2) + TimeSpan.FromSeconds(3725), ["palm-core"]),
            new NodeStatus(Worker, NodeState.Up, true, TimeSpan.FromSeconds(75), ["palm-worker"]),
        ],
        [
            new ServerStatus("a", "RegisteredServer", "standalone", Seed, 1200, 1199, 1, TimeSpan.FromMilliseconds(1234), 0)
                { Instance = "a@10.0.0.1:4053", Functions = ["echo", "tag"], UpTime = TimeSpan.FromMinutes(3) },
            new ServerStatus("c", "ButterflyServer", "leader", Seed, 50, 50, 0, TimeSpan.Zero, 1)
                { Instance = "c/leader@10.0.0.1:4053", Functions = ["echo", "who"], UpTime = TimeSpan.FromMinutes(3), InFlight = 2 },
            silent
                ? new ServerStatus("c", "ButterflyServer", "worker", Worker, 0, 0, 0, TimeSpan.Zero, 0)
                    { Instance = "c/worker-1@10.0.0.2:4053", Functions = ["echo", "who"], State = ServerState.Silent }
                : new ServerStatus("c", "ButterflyServer", "worker", Worker, 50, 50, 0, TimeSpan.FromMilliseconds(100), 0)
                    { Instance = "c/worker-1@10.0.0.2:4053", Functions = ["echo", "who"], UpTime = TimeSpan.FromMinutes(1) },
        ]);

    private static string Render(ClusterStatus status)
    {
        var console = new TestConsole();
        console.Profile.Width = 200;
        console.Write(StatusView.Render(status));
        return console.Output;
    }

    private static string Row(string screen, string start) => Assert.Single(screen.Split('\n'), l => l.Contains(start));

    [Fact]
    public void The_tables_list_every_node_and_server_with_its_state_and_counters_and_the_verdict_says_healthy()
    {
        var screen = Render(Status());

        Assert.Contains("Nodes", screen);
        Assert.Matches(@"akka\.tcp://palm@10\.0\.0\.1:4053\s+│ Up\s+│ palm-core\s+│ 2d 1:02:05\s+│ yes", Row(screen, "│ " + Seed));
        Assert.Matches(@"│ Up\s+│ palm-worker\s+│ 1:15\s+│ yes", Row(screen, "│ " + Worker));
        Assert.Contains("Servers", screen);
        Assert.Matches(@"a@10\.0\.0\.1:4053\s+│ RegisteredServer │ standalone │ Up\s+│ echo tag\s+│ 1,200 │ 1,199 │\s+1 │\s+1\.234 s │\s+0 │\s+│",
            Row(screen, "│ a@10.0.0.1"));
        Assert.Matches(@"c/leader@10\.0\.0\.1:4053\s+│ ButterflyServer\s+│ leader\s+│ Up .*│\s+2 │\s+1 │$", Row(screen, "│ c/leader@").TrimEnd());
        Assert.Contains("c/worker-1@10.0.0.2:4053", screen);
        Assert.Contains("palm status 2025-03-04 05:06:07Z through " + Seed, screen);
        Assert.EndsWith("healthy: 2 nodes, 3 servers", screen.TrimEnd());
    }

    [Fact]
    public void A_silent_server_reads_silent_without_counters_and_the_verdict_names_it()
    {
        var status = Status(silent: true);
        var screen = Render(status);

        Assert.Matches(@"c/worker-1@10\.0\.0\.2:4053\s+│ ButterflyServer\s+│ worker\s+│ Silent\s+│ echo who\s+│\s+- │\s+- │\s+- │\s+- │\s+- │",
            Row(screen, "│ c/worker-1@"));
        Assert.Equal("NOT healthy (2 nodes, 3 servers): c/worker-1@10.0.0.2:4053 Silent", StatusView.Verdict(status));
        Assert.EndsWith("NOT healthy (2 nodes, 3 servers): c/worker-1@10.0.0.2:4053 Silent", screen.TrimEnd());
        Assert.Equal(PalmExitCodes.Failure, StatusView.ExitCode(status));
        Assert.Equal(PalmExitCodes.Ok, StatusView.ExitCode(Status()));
    }

    [Fact]
    public void A_node_not_up_is_named_in_the_verdict_and_a_removed_one_is_not()
    {
        var status = Status() with
        {
            Nodes =
            [
                .. Status().Nodes,
                new NodeStatus("akka.tcp://palm@10.0.0.3:4053", NodeState.Unreachable, false, null, ["palm-worker"]),
                new NodeStatus("akka.tcp://palm@10.0.0.4:4053", NodeState.Removed, false, null, ["palm-worker"]),
            ],
        };

        Assert.Equal("NOT healthy (3 nodes, 3 servers): node akka.tcp://palm@10.0.0.3:4053 Unreachable, not answering", StatusView.Verdict(status));
        Assert.Matches(@"│ Removed\s+│ palm-worker\s+│ -\s+│ no", Row(Render(status), "10.0.0.4"));
    }

    [Fact]
    public void The_json_names_states_in_words_and_reads_back_to_the_same_status()
    {
        var status = Status(silent: true);

        var json = StatusView.ToJson(status, indented: true);
        var back = JsonSerializer.Deserialize<ClusterStatus>(json, StatusView.Json)!;

        Assert.Contains("\"state\": \"Silent\"", json);
        Assert.Contains("\"healthy\": false", json);
        Assert.Equal(status.Servers, back.Servers, ServerComparer);
        Assert.Equal(status.Nodes.Select(n => (n.Address, n.State, n.UpTime)), back.Nodes.Select(n => (n.Address, n.State, n.UpTime)));
        Assert.Equal((status.Time, status.Bound, status.Contact, status.Healthy), (back.Time, back.Bound, back.Contact, back.Healthy));
        Assert.DoesNotContain('\n', StatusView.ToJson(status, indented: false));
    }

    [Fact]
    public async Task A_plain_watch_prints_a_snapshot_per_refresh_and_on_cancel_exits_with_the_last_verdict()
    {
        var writer = new StringWriter();
        using var cancel = new CancellationTokenSource();
        var taken = 0;
        Task<ClusterStatus> Take(CancellationToken _)
        {
            // Healthy, then silent: the third refresh is the last one before the watch is cancelled.
            if (++taken == 3) cancel.Cancel();
            return Task.FromResult(Status(silent: taken >= 2));
        }

        var code = await new TableStatus(StatusDisplays.Plain(writer), live: false).WatchAsync(Take, TimeSpan.FromMilliseconds(1), cancel.Token).WaitAsync(Within);

        Assert.Equal(PalmExitCodes.Failure, code);
        var output = writer.ToString();
        Assert.Equal(3, output.Split("palm status 2025").Length - 1);
        Assert.DoesNotContain("\u001b[", output);
        Assert.Contains("healthy: 2 nodes, 3 servers", output);
        Assert.EndsWith("c/worker-1@10.0.0.2:4053 Silent", output.TrimEnd());
    }

    [Fact]
    public async Task On_a_terminal_a_watch_redraws_the_tables_in_place_until_cancelled()
    {
        var console = new TestConsole().Interactive().EmitAnsiSequences();
        console.Profile.Width = 200;
        using var cancel = new CancellationTokenSource();
        var taken = 0;

        var code = await new TableStatus(console, live: true).WatchAsync(_ =>
        {
            if (++taken == 2) cancel.Cancel();
            return Task.FromResult(Status());
        }, TimeSpan.FromMilliseconds(1), cancel.Token).WaitAsync(Within);

        Assert.Equal(PalmExitCodes.Ok, code);
        Assert.Contains("c/leader@10.0.0.1:4053", console.Output);
        // Spectre's live display moves the cursor back up to redraw.
        Assert.Contains("\u001b[", console.Output);
    }

    [Fact]
    public async Task A_watch_cancelled_before_its_first_status_exits_as_cancelled()
    {
        using var cancel = new CancellationTokenSource();
        await cancel.CancelAsync();

        var code = await new JsonStatus(new StringWriter(), indented: false)
            .WatchAsync(t => Task.FromCanceled<ClusterStatus>(t), TimeSpan.FromSeconds(1), cancel.Token).WaitAsync(Within);

        Assert.Equal(PalmExitCodes.Cancelled, code);
    }

    [Theory]
    [InlineData("2x")]
    [InlineData("0s")]
    [InlineData("-1s")]
    public void An_interval_that_is_not_a_duration_above_zero_is_a_usage_mistake(string interval)
    {
        var parse = PalmTool.Build().Parse(["status", "--watch", "--interval", interval, "--seed", Seed]);

        Assert.Equal($"--interval '{interval}' is not a duration above zero (e.g. 2s, 500ms, 1m).", Assert.Single(parse.Errors).Message);
    }

    [Fact]
    public void Intervals_read_as_Palm_settings_do()
    {
        var parse = PalmTool.Build().Parse(["status", "--watch", "--interval", "500ms", "--timeout", "1m", "--seed", Seed]);

        Assert.Empty(parse.Errors);
        Assert.Equal(TimeSpan.FromMilliseconds(500), parse.GetValue<TimeSpan?>("--interval"));
        Assert.Equal(TimeSpan.FromMinutes(1), parse.GetValue<TimeSpan?>("--timeout"));
    }

    private static readonly IEqualityComparer<ServerStatus> ServerComparer = EqualityComparer<ServerStatus>.Create(
        (x, y) => x is not null && y is not null && (x with { Functions = [] }) == (y with { Functions = [] }) && x.Functions.SequenceEqual(y.Functions),
        s => s.Instance.GetHashCode());
}
