using Akka.Actor;
using Akka.Configuration;
using Palm.Client;
using Palm.Client.Internal;
using Palm.Hosting;
using Palm.Servers;
using Palm.Servers.Internal;
using Palm.TestKit;
using Palm.Tests.Client;
using Palm.Tests.Support;
using Palm.Tests.Templates.Parallel;
using Xunit;

namespace Palm.Tests.Diagnostics;

/// <summary>
/// The server and client instruments of the <c>Palm</c> meter, read by an in-process <see cref="System.Diagnostics.Metrics.MeterListener"/>
/// as an exporter would: they show the counters the servers and clients keep, and what stops is measured no more.
/// </summary>
public sealed class ServerMetricsTests() : Akka.TestKit.Xunit2.TestKit(Config.Empty, Gate.UniqueName("metrics"))
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private string Node => PalmNode.Get(Sys).Address;

    private static (string, string) Server(string name) => ("palm.server", name);
    private static (string, string) Role(string role) => ("palm.role", role);
    private (string, string) OnThisNode => ("palm.node", Node);

    [Fact]
    public async Task Every_server_instrument_shows_the_counters_of_each_role_after_a_small_job()
    {
        var words = Gate.UniqueName("words");
        var crunch = Gate.UniqueName("crunch");
        var node = PalmNode.Get(Sys);
        var standalone = new WordsServer();
        var leader = new CrunchServer();
        CrunchServer[] workers = [new(), new()];
        await node.StartServerAsync(standalone, words);
        await node.StartServerAsync(leader, crunch, ServerRole.Leader);
        foreach (var worker in workers) await node.StartServerAsync(worker, crunch, ServerRole.Worker);
        await node.WaitForServersAsync([words], Wait);
        await node.WaitForServersAsync([crunch], Wait, minWorkers: 2);
        await using var client = await this.ConnectPalmClientAsync();
        using var capture = new MeterCapture();

        // 20 inputs; "bad" fails at the first step (words.picky), the others pass both steps.
        var inputs = Enumerable.Range(0, 20).Select(i => Text.Bytes(i % 5 == 0 ? "bad" : $"w{i}")).ToArray();
        var results = await client.RunJob([$"{words}.picky", $"{crunch}.later"], inputs).WithTimeout(Wait).ToListAsync();
        Assert.Equal(4, results.Count(r => r.IsError));

        // A leader counts its workers' answers when they come back; the gauges settle once every batch is handled.
        await Eventually.AssertAsync(() =>
        {
            Assert.Equal(2, capture.Value("palm.server.workers", Server(crunch), Role("leader"), OnThisNode));
            Assert.Equal(0, capture.Value("palm.server.in_flight", Server(crunch), Role("leader"), OnThisNode));
            Assert.Equal(0, capture.Value("palm.server.in_flight", Server(crunch), Role("worker"), OnThisNode));
            Assert.Equal(0, capture.Value("palm.server.in_flight", Server(words), Role("standalone"), OnThisNode));
        }, Wait);

        Assert.Equal(20, standalone.Counters.MessagesIn);
        Expect(words, "standalone", standalone.Counters);
        Expect(crunch, "leader", leader.Counters);
        Assert.Equal(16, leader.Counters.MessagesIn);
        Assert.Equal(16, leader.Counters.MessagesOut);
        // Two workers of one server on one node: one measurement, their sum.
        Assert.Equal(workers.Sum(w => w.Counters.MessagesIn), capture.Value("palm.server.messages_in", Server(crunch), Role("worker"), OnThisNode));
        Assert.Equal(16, workers.Sum(w => w.Counters.MessagesIn));
        Assert.Null(capture.Value("palm.server.workers", Server(words)));
        Assert.Null(capture.Value("palm.server.workers", Server(crunch), Role("worker")));

        void Expect(string name, string role, ServerCounters counters)
        {
            (string, string)[] tags = [Server(name), Role(role), OnThisNode];
            Assert.Equal(counters.MessagesIn, capture.Value("palm.server.messages_in", tags));
            Assert.Equal(counters.MessagesOut, capture.Value("palm.server.messages_out", tags));
            Assert.Equal(counters.Errors, capture.Value("palm.server.errors", tags));
            Assert.Equal(counters.UserTime.TotalSeconds, capture.Value("palm.server.user_time", tags));
        }
    }

    [Fact]
    public async Task A_server_that_stops_is_measured_no_more()
    {
        var name = Gate.UniqueName("stops");
        await this.StartPalmServerAsync<WordsServer>(name);
        using var capture = new MeterCapture();
        Assert.Equal(0, capture.Value("palm.server.messages_in", Server(name), OnThisNode));
        var before = ServerMetrics.Count;

        var server = await Sys.ActorSelection($"/user/palm/server-{name}").ResolveOne(Wait);
        Sys.Stop(server);

        await Eventually.AssertAsync(() => Assert.DoesNotContain(capture.Collect(), r => r.Has(Server(name))), Wait);
        Assert.Equal(before - 1, ServerMetrics.Count);
    }

    [Fact]
    public async Task A_node_that_terminates_takes_the_measurements_of_its_servers_and_clients_with_it()
    {
        var system = ActorSystem.Create(Gate.UniqueName("ending"), Sys.Settings.Config);
        var node = PalmNode.Get(system);
        var name = Gate.UniqueName("ends");
        await node.StartParallelServerAsync<CrunchServer>(name, 2);
        // Never disposed: the system's end must end its measurements all the same.
        var client = await PalmClient.ConnectAsync(system);
        Assert.Equal("1!", Text.Of(await client.EvalAsync([$"{name}.later"], Text.Bytes("1")).WaitAsync(Wait)));
        using var capture = new MeterCapture();
        var ended = ("palm.node", node.Address);
        // The leader's, and one for both workers.
        Assert.Equal(2, capture.Collect().Count(r => r.Instrument == "palm.server.messages_in" && r.Has(ended, Server(name))));
        Assert.Equal(1, capture.Value("palm.client.jobs_completed", ended));

        await system.Terminate().WaitAsync(Wait);

        Assert.DoesNotContain(capture.Collect(), r => r.Has(ended));
    }
}
