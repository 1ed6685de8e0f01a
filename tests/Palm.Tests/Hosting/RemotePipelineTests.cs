using Palm.Client;
using Palm.Messages;
using Palm.TestKit;
using Palm.Tests.Support;
using Xunit;

namespace Palm.Tests.Hosting;

/// <summary>A cluster shared by the tests of one class: a seed and servers w, x, y, each its own actor system.</summary>
public sealed class FourNodeCluster : IAsyncLifetime
{
    public PalmTestCluster Cluster { get; private set; } = null!;
    public PalmClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Cluster = await PalmTestCluster.StartAsync();
        await Cluster.StartServerAsync<WordsServer>("w");
        await Cluster.StartServerAsync<SuffixServer>("x");
        await Cluster.StartServerAsync<SuffixServer>("y");
        Client = await Cluster.ConnectClientAsync();
        await Client.WaitForServersAsync(["w", "x", "y"], TimeSpan.FromSeconds(30));
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

/// <summary>Chained RPC across real actor systems over Akka.Remote: each server tells the next one directly.</summary>
[Trait(TestCategories.Category, TestCategories.Cluster)]
public sealed class RemotePipelineTests(FourNodeCluster fixture) : IClassFixture<FourNodeCluster>
{
    private readonly PalmClient _client = fixture.Client;

    private async Task<List<JobResult>> Run(string[] route, IEnumerable<byte[]?> inputs, JobOptions? options = null)
    {
        var results = new List<JobResult>();
        await foreach (var r in _client.RunJob(route, inputs, options).WithTimeout(TimeSpan.FromSeconds(60))) results.Add(r);
        return results;
    }

    [Fact]
    public async Task A_route_naming_one_server_twice_delivers_every_result_exactly_once()
    {
        const int count = 5000;
        var results = await Run(["w.upper", "x.tag", "y.tag", "x.tag"], Enumerable.Range(0, count).Select(i => Text.Bytes($"m{i}")));
        Assert.Equal(count, results.Count);
        Assert.Equal(Enumerable.Range(0, count).Select(i => (long)i), results.Select(r => r.InputIndex).Order());
        Assert.All(results, r => Assert.Equal($"M{r.InputIndex}>x>y>x", Text.Of(r.Payload)));
    }

    [Fact]
    public async Task Fan_out_and_fan_in_across_nodes_complete_by_themselves()
    {
        var results = await Run(["w.split", "x.tag", "w.nothing"], [Text.Bytes("a b c"), Text.Bytes("d")]);
        Assert.Empty(results);
        results = await Run(["w.split", "x.tag", "w.laterMany", "y.tag"], [Text.Bytes("a b c"), Text.Bytes("")]);
        Assert.Equal(6, results.Count);
        Assert.Equal(["a>x>y", "a>x>y", "b>x>y", "b>x>y", "c>x>y", "c>x>y"], results.Select(r => Text.Of(r.Payload)).Order());
    }

    [Fact]
    public async Task A_function_failing_on_a_remote_node_reaches_the_client_as_an_error_naming_it()
    {
        var results = await Run(["x.tag", "w.boom"], [Text.Bytes("p")]);
        var error = Assert.Single(results).Error!;
        Assert.Equal((PalmErrorKind.FunctionFailed, "w", "boom", 1), (error.Kind, error.Server, error.Function, error.Stage));
        Assert.Equal(typeof(InvalidOperationException).FullName, error.ExceptionType);
        Assert.Equal("kaput on 'p>x'", error.Message);
        Assert.Equal("P", Text.Of(await _client.EvalAsync(["w.upper"], Text.Bytes("p"))));
    }

    [Fact]
    public async Task Eval_and_caches_work_across_remoting()
    {
        Assert.Equal("hi>x>y", Text.Of(await _client.EvalAsync(["x.tag", "y.tag"], Text.Bytes("hi"))));
        var key = await _client.Cache("w").SetAsync(Text.Bytes("remote value"));
        Assert.Equal("remote value", Text.Of(await _client.EvalAsync(["x.tag", "w.fromCache"], Text.Bytes("?"), new JobOptions { CacheKey = key })));
        await _client.Cache("w").AppendAsync(key, Text.Bytes("!"));
        Assert.Equal("remote value!", Text.Of(await _client.Cache("w").GetAsync(key)));
    }

    [Fact]
    public async Task Sessions_travel_with_every_message_of_a_job()
    {
        var results = await Run(["x.tag", "w.tags"], [Text.Bytes("a")], new JobOptions { Session = "alice", CacheKey = "k" });
        Assert.Equal("w|alice|k|1|0", Text.Of(Assert.Single(results).Payload));
    }

    [Fact]
    public async Task An_unknown_server_is_refused_at_once_by_a_remote_client()
    {
        var e = Assert.Throws<PalmRouteException>(() => _client.RunJob(["x.tag", "z.tag"], [Text.Bytes("a")]));
        Assert.Contains("server 'z'", e.Message);
    }

    [Fact]
    public async Task Several_jobs_run_at_once_without_mixing_results()
    {
        var jobs = Enumerable.Range(0, 4).Select(j => Run(["x.tag", $"{(j % 2 == 0 ? "y" : "w")}.echo"],
            Enumerable.Range(0, 500).Select(i => Text.Bytes($"{j}:{i}")))).ToArray();
        var all = await Task.WhenAll(jobs);
        for (var j = 0; j < all.Length; j++)
        {
            Assert.Equal(500, all[j].Count);
            Assert.All(all[j], r => Assert.Equal($"{j}:{r.InputIndex}>x", Text.Of(r.Payload)));
        }
    }

    [Fact]
    public async Task Every_server_reports_its_counters_to_an_operator()
    {
        await Run(["x.tag", "y.tag"], [Text.Bytes("a"), Text.Bytes("b")]);
        var status = (await _client.GetStatusAsync()).Servers;
        Assert.Equal(["w", "x", "y"], status.Select(s => s.Name));
        Assert.All(status, s => Assert.StartsWith("akka.tcp://palm@127.0.0.1:", s.Node));
        Assert.True(status.Single(s => s.Name == "y").MessagesIn >= 2);
    }
}
