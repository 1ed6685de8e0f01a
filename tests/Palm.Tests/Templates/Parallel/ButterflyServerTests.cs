using Palm.Client;
using Palm.Hosting;
using Palm.Messages;
using Palm.Servers;
using Palm.TestKit;
using Palm.Tests.Support;
using Xunit;

namespace Palm.Tests.Templates.Parallel;

/// <summary>A butterfly server (leader and workers) inside the test's own actor system: the behaviour, without the network.</summary>
public sealed class ButterflyServerTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan JobTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Butterfly_server_gives_every_input_its_results_once_and_the_job_completes_by_itself()
    {
        await this.StartPalmParallelServerAsync<CrunchServer>("c", workers: 3);
        var client = await this.ConnectPalmClientAsync();
        await client.WaitForServersAsync(["c"], JobTimeout, minWorkers: 3);

        // Input i fans out into i % 4 messages (none for a multiple of 4), each of which goes through c twice more.
        const int count = 3000;
        var results = await client.RunAll(["c.fan", "c.work", "c.echo"], Enumerable.Range(0, count).Select(i => new[] { (byte)0, (byte)(i % 4) }), JobTimeout);

        Assert.DoesNotContain(results, r => r.IsError);
        var perInput = results.GroupBy(r => r.InputIndex).ToDictionary(g => g.Key, g => g.Count());
        for (var i = 0; i < count; i++) Assert.Equal(i % 4, perInput.GetValueOrDefault(i));
    }

    [Fact]
    public async Task Butterfly_server_turns_a_throwing_function_into_an_error_result_and_its_worker_keeps_serving()
    {
        await this.StartPalmParallelServerAsync<CrunchServer>("c", workers: 1);
        var client = await this.ConnectPalmClientAsync();
        await client.WaitForServersAsync(["c"], JobTimeout, minWorkers: 1);

        var results = await client.RunAll(["c.picky", "c.echo"], new[] { "good", "bad", "fine" }.Select(Text.Bytes), JobTimeout);

        var error = Assert.Single(results, r => r.IsError).Error!;
        Assert.Equal(PalmErrorKind.FunctionFailed, error.Kind);
        Assert.Equal(("c", "picky", 0), (error.Server, error.Function, error.Stage));
        Assert.Equal(typeof(FormatException).FullName, error.ExceptionType);
        Assert.Contains("bad input", error.Message);
        Assert.Equal(["fine", "good"], results.Where(r => !r.IsError).Select(r => Text.Of(r.Payload)).Order());
        Assert.Equal("again", Text.Of(await client.EvalAsync(["c.picky"], Text.Bytes("again"))));
    }

    [Fact]
    public async Task Butterfly_workers_run_asynchronous_functions()
    {
        await this.StartPalmParallelServerAsync<CrunchServer>("c", workers: 2);
        var client = await this.ConnectPalmClientAsync();
        await client.WaitForServersAsync(["c"], JobTimeout, minWorkers: 2);

        var results = await client.RunAll(["c.later", "c.later"], Enumerable.Range(0, 200).Select(i => Text.Bytes(i.ToString())), JobTimeout);

        Assert.Equal(Enumerable.Range(0, 200).Select(i => $"{i}!!").Order(), results.Select(r => Text.Of(r.Payload)).Order());
    }

    [Fact]
    public async Task Butterfly_leader_keeps_messages_until_a_worker_joins()
    {
        var node = PalmNode.Get(Sys);
        await node.StartServerAsync<CrunchServer>("c", ServerRole.Leader);
        var client = await this.ConnectPalmClientAsync();
        await client.WaitForServersAsync(["c"], JobTimeout);

        var job = client.RunAll(["c.work"], Enumerable.Range(0, 100).Select(_ => new byte[] { 0 }), JobTimeout);
        await AwaitAssertAsync(async () => Assert.Equal(100, (await Status(client, "leader")).Single().MessagesIn), TimeSpan.FromSeconds(10));
        Assert.False(job.IsCompleted);

        await node.StartServerAsync<CrunchServer>("c", ServerRole.Worker);
        Jobs.AssertExactlyOnce(await job, 100);
    }

    [Fact]
    public async Task Butterfly_status_shows_the_leader_with_its_worker_count_and_each_workers_counters()
    {
        await this.StartPalmParallelServerAsync<CrunchServer>("c", workers: 2);
        var client = await this.ConnectPalmClientAsync();
        await client.WaitForServersAsync(["c"], JobTimeout, minWorkers: 2);
        await client.RunAll(["c.work"], Enumerable.Range(0, 500).Select(_ => new byte[] { 0 }), JobTimeout);

        var leader = Assert.Single(await Status(client, "leader"));
        Assert.Equal(("ButterflyServer", 2, 500L, 500L), (leader.Template, leader.Workers, leader.MessagesIn, leader.MessagesOut));
        var workers = await Status(client, "worker");
        Assert.Equal(2, workers.Count);
        Assert.Equal(500, workers.Sum(w => w.MessagesIn));
    }

    [Fact]
    public async Task Butterfly_server_started_without_a_role_runs_as_a_serial_server()
    {
        await this.StartPalmServerAsync<CrunchServer>("c");
        var client = await this.ConnectPalmClientAsync();

        Assert.Equal("x!", Text.Of(await client.EvalAsync(["c.later"], Text.Bytes("x"))));
        var status = Assert.Single((await client.GetStatusAsync()).Servers);
        Assert.Equal(("ButterflyServer", "standalone"), (status.Template, status.Role));
    }

    private static async Task<List<ServerStatus>> Status(Palm.Client.PalmClient client, string role) =>
        (await client.GetStatusAsync()).Servers.Where(s => s.Role == role).ToList();
}
