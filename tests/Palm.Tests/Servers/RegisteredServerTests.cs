using Palm.Client;
using Palm.Messages;
using Palm.TestKit;
using Palm.Tests.Support;
using Xunit;

namespace Palm.Tests.Servers;

/// <summary>A serial server inside the test's own actor system (no network).</summary>
public sealed class RegisteredServerTests : Akka.TestKit.Xunit2.TestKit
{
    private static async Task<List<JobResult>> Run(PalmClient client, string[] route, params string[] inputs)
    {
        var results = new List<JobResult>();
        await foreach (var r in client.RunJob(route, inputs.Select(Text.Bytes)).WithTimeout(TimeSpan.FromSeconds(20))) results.Add(r);
        return results;
    }

    private async Task<PalmClient> Start()
    {
        await this.StartPalmServerAsync<WordsServer>("w");
        await this.StartPalmServerAsync<SuffixServer>("x");
        await this.StartPalmServerAsync<SuffixServer>("y");
        await this.StartPalmServerAsync<RouterServer>("r");
        return await this.ConnectPalmClientAsync();
    }

    [Fact]
    public async Task A_function_returning_one_payload_gives_one_result_per_input()
    {
        var client = await Start();
        var results = await Run(client, ["w.upper", "x.tag"], "a", "b", "c");
        Assert.Equal(["A>x", "B>x", "C>x"], results.OrderBy(r => r.InputIndex).Select(r => Text.Of(r.Payload)));
        Assert.Equal([0L, 1L, 2L], results.Select(r => r.InputIndex).Order());
    }

    [Fact]
    public async Task Zero_or_many_outputs_per_step_still_complete_the_job_by_itself()
    {
        var client = await Start();
        var results = await Run(client, ["w.split", "x.tag", "w.split"], "one two three", "", "four");
        Assert.Equal(["four>x", "one>x", "three>x", "two>x"], results.Select(r => Text.Of(r.Payload)).Order());
        Assert.Equal(3, results.Count(r => r.InputIndex == 0));
        Assert.DoesNotContain(results, r => r.InputIndex == 1);
    }

    [Fact]
    public async Task A_function_returning_null_emits_nothing_and_the_job_completes()
    {
        var client = await Start();
        Assert.Empty(await Run(client, ["w.nothing", "x.tag"], "a", "b"));
    }

    [Fact]
    public async Task Async_functions_are_awaited_in_order()
    {
        var client = await Start();
        var results = await Run(client, ["w.later", "w.laterMany", "x.tag"], "a", "b");
        Assert.Equal(["a!>x", "a!>x", "b!>x", "b!>x"], results.Select(r => Text.Of(r.Payload)).Order());
    }

    [Fact]
    public async Task Echo_returns_the_payload_unchanged()
    {
        var client = await Start();
        Assert.Equal("same", Text.Of(await client.EvalAsync(["x.echo"], Text.Bytes("same"))));
    }

    [Fact]
    public async Task A_throwing_function_gives_an_error_result_naming_server_function_and_exception_and_the_server_keeps_serving()
    {
        var client = await Start();
        var results = await Run(client, ["w.picky", "x.tag"], "good", "bad", "fine");
        var error = Assert.Single(results, r => r.IsError).Error!;
        Assert.Equal(PalmErrorKind.FunctionFailed, error.Kind);
        Assert.Equal("w", error.Server);
        Assert.Equal("picky", error.Function);
        Assert.Equal(0, error.Stage);
        Assert.Equal(typeof(FormatException).FullName, error.ExceptionType);
        Assert.Equal("bad input", error.Message);
        Assert.Equal(["fine>x", "good>x"], results.Where(r => !r.IsError).Select(r => Text.Of(r.Payload)).Order());
        Assert.Equal("after>x", Text.Of(await client.EvalAsync(["w.picky", "x.tag"], Text.Bytes("after"))));
    }

    [Fact]
    public async Task Eval_throws_the_error_result_of_a_failing_function()
    {
        var client = await Start();
        var e = await Assert.ThrowsAsync<PalmFunctionException>(() => client.EvalAsync(["w.boom"], Text.Bytes("x")));
        Assert.Equal("boom", e.Error.Function);
        Assert.Contains("kaput on 'x'", e.Message);
    }

    [Fact]
    public async Task Session_cache_key_stage_and_input_reach_the_function()
    {
        var client = await Start();
        var results = new List<JobResult>();
        await foreach (var r in client.RunJob(["x.tag", "w.tags"], [Text.Bytes("a"), Text.Bytes("b")], new JobOptions { Session = "s1", CacheKey = "k1" }))
            results.Add(r);
        Assert.Equal(["w|s1|k1|1|0", "w|s1|k1|1|1"], results.Select(r => Text.Of(r.Payload)).Order());
    }

    [Fact]
    public async Task The_stream_hook_can_skip_drop_finish_and_divert()
    {
        var client = await Start();
        var results = await Run(client, ["r.pass", "x.tag", "x.tag"], "plain", "skip", "drop", "done", "divert");
        Assert.Equal(["divert>y", "done", "plain>x>x", "skip>x"], results.Select(r => Text.Of(r.Payload)).Order());
    }

    [Fact]
    public async Task A_server_class_with_an_unsupported_function_signature_is_refused_at_start()
    {
        var e = await Assert.ThrowsAsync<PalmConfigurationException>(() => this.StartPalmServerAsync<BadSignatureServer>("bad"));
        Assert.Contains("BadSignatureServer.Count", e.Message);
    }

    [Fact]
    public async Task A_second_server_with_the_same_name_on_a_node_is_refused()
    {
        await this.StartPalmServerAsync<SuffixServer>("dup");
        var e = await Assert.ThrowsAsync<PalmConfigurationException>(() => this.StartPalmServerAsync<SuffixServer>("dup"));
        Assert.Contains("'dup'", e.Message);
    }

    [Fact]
    public async Task The_counters_of_a_server_count_messages_errors_and_time()
    {
        var client = await Start();
        await Run(client, ["w.picky"], "ok", "bad", "ok");
        var status = Assert.Single((await client.GetStatusAsync()).Servers, s => s.Name == "w");
        Assert.Equal(3, status.MessagesIn);
        Assert.Equal(2, status.MessagesOut);
        Assert.Equal(1, status.Errors);
        Assert.True(status.UserTime > TimeSpan.Zero);
        Assert.Equal("RegisteredServer", status.Template);
    }
}
