using System.Text.RegularExpressions;
using Palm.Examples;
using Palm.Tests.Support;
using Xunit;

namespace Palm.Tests.Examples;

/// <summary>
/// Every example of examples/Palm.Examples (pylm's examples on Palm), run in-process as its command runs it: each starts
/// a cluster of its own (one actor system per node, real remoting), and its job must end by itself with the exact results.
/// </summary>
[Trait(TestCategories.Category, TestCategories.Cluster)]
public sealed class ExamplesTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    // Which worker answered which message is the leader's choice, and ports are the OS's: both leave the lines alike.
    private const string Worker = "server/worker-1@HOST";

    private static string[] Times(int count, string line) => Enumerable.Repeat(line, count).ToArray();

    /// <summary>What each example prints, with every address written as HOST (any order: workers answer as they finish).</summary>
    private static readonly Dictionary<string, string[]> Expected = new()
    {
        ["single"] = ["Client got: you sent me a message"],
        ["parallel"] = Times(10, $"{Worker} processed a message"),
        ["cache"] = ["' cached data '", .. Times(10, $"{Worker} cached data a message")],
        ["scatter"] = ["' cached data '", .. Times(30, $"{Worker} cached data a message"), "30 results from 10 inputs: the job ended by itself"],
        ["gather"] = ["' cached data '", .. Times(10, $"{Worker} cached data a message #0 + {Worker} cached data a message #1 + {Worker} cached data a message #2")],
        ["pipeline"] = ["Client got: and I pipelined you sent me a message"],
        ["chained_single"] = ["Client got: ACK: got it too, after you sent me a message"],
        ["master_pipeline"] = Times(10, $"and I pipelined {Worker} processed a message"),
        ["server_hub"] = ["Client got: hub/worker-1@HOST processed you sent me a message"],
        ["mux_parallel"] = [.. Times(10, $"{Worker} processed a message 1"), .. Times(10, $"{Worker} processed a message 2"),
            "20 results from 10 inputs: the job ended by itself"],
        ["error"] =
        [
            "Client got: error: FunctionFailed at step 0 (my_server.foo): System.InvalidOperationException: x is not defined",
            "EvalAsync threw PalmFunctionException from my_server.foo",
            "The server goes on: my_server.echo answered 'still here'",
        ],
        ["perfcounting"] =
        [
            "30 results",
            "status, leader  : 30 in, 30 out, 0 errors, 2 workers",
            "status, workers : 30 in, 30 out, 0 errors, time in functions counted",
            "meter Palm, palm.server.messages_in: leader 30, workers 30",
        ],
        ["logging"] =
        [
            .. Times(30, $"{Worker} processed a message"),
            "log WARNING palm.server.server: Forwarded 10 results",
            "log WARNING palm.server.server: Forwarded 20 results",
            "log WARNING palm.server.server: Forwarded 30 results",
        ],
        ["tee"] = ["Client got (close): and I pipelined you sent me a message", "Client got (echo): you sent me a message"],
        ["stream"] =
        [
            .. Enumerable.Range(0, 5).Select(i => $"Client got #{2 * i} (even): and I pipelined you sent me a message"),
            "5 results from 10 inputs: the odd branch emits nothing, and the job ended by itself",
        ],
        ["stream_sink"] =
        [
            .. Times(10, "Client got: and gathered and I pipelined you sent me a message"),
            "Client got: summary: even 5, odd 5; every branch complete",
        ],
        ["sink"] = ["Client got: and I pipelined you sent me a message", "Client got: summary: 1 message; upstream complete"],
        ["merge"] =
        [
            "Stream B before A: book.join failed: no quote under key 'quote:EURUSD' yet",
            "Stream B before A: book.join failed: no quote under key 'quote:GBPUSD' yet",
            "Stream A: stored quote:EURUSD = 1.10",
            "Stream A: stored quote:GBPUSD = 1.25",
            "Stream B: 1000 EURUSD at 1.10 = 1100.00",
            "Stream B: 500 GBPUSD at 1.25 = 625.00",
        ],
        ["http"] = Times(10, "a message processed online"),
        ["gateway"] =
        [
            "POST /eval/server.function: 200 acknowledged",
            "POST /eval/server.nothing: 404 UnknownFunction: Step 0 (server.nothing) names function 'nothing', which server 'server' does not have; it has: echo, function.",
            "GET /status: server, a leader with 2 workers",
        ],
        ["template"] = [.. Times(10, $"{Worker} processed a message"), "end: 10 inputs, 10 results, 0 errors"],
        ["standalone_http"] =
        [
            .. Times(10, "a message processed online"),
            "input #10: FunctionFailed in server.foo: System.Net.Http.HttpRequestException: the web worker answered 400: nothing to process",
            "end: 11 inputs, 11 results, 1 errors",
        ],
    };

    /// <summary>Every example's name.</summary>
    public static TheoryData<string> Names() => new(ExampleList.All.Select(e => e.Name));

    [Theory]
    [MemberData(nameof(Names))]
    public async Task Example_runs_on_its_own_cluster_and_prints_exactly_the_expected_results(string name)
    {
        var output = new StringWriter();
        using var cancel = new CancellationTokenSource(Bound);

        var code = await ExampleList.All.Single(e => e.Name == name).RunAsync(output, cancel.Token).WaitAsync(Bound);

        Assert.True(code == 0, $"exit code {code}:\n{output}");
        Assert.True(Expected.TryGetValue(name, out var expected), $"no expected lines for example {name}");
        Assert.Equal(expected.Order(StringComparer.Ordinal), Lines(output).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_example_has_a_unique_name_a_pylm_folder_and_a_description()
    {
        Assert.Equal(ExampleList.All.Count, ExampleList.All.Select(e => e.Name).Distinct().Count());
        Assert.All(ExampleList.All, e => Assert.False(string.IsNullOrWhiteSpace(e.Mirrors) || string.IsNullOrWhiteSpace(e.Description), e.Name));
        Assert.Equal(Expected.Keys.Order(), ExampleList.All.Select(e => e.Name).Order());
    }

    [Fact]
    public async Task List_shows_every_example_on_a_line_of_its_own_and_exits_0()
    {
        foreach (var args in new[] { Array.Empty<string>(), ["list"] })
        {
            var output = new StringWriter();
            var error = new StringWriter();

            var code = await ExamplesProgram.MainAsync(args, output, error);

            Assert.Equal(0, code);
            Assert.Equal("", error.ToString());
            var lines = Lines(output);
            Assert.All(ExampleList.All, e => Assert.Single(lines, l => l.TrimStart().StartsWith(e.Name + " ", StringComparison.Ordinal)
                && l.Contains(e.Description, StringComparison.Ordinal)));
        }
    }

    [Fact]
    public async Task An_unknown_example_is_one_line_naming_the_nearest_and_exits_2()
    {
        var output = new StringWriter();
        var error = new StringWriter();

        var code = await ExamplesProgram.MainAsync(["paralel"], output, error);

        Assert.Equal(2, code);
        Assert.Equal("", output.ToString());
        Assert.Equal("palm: 'paralel' is not an example; did you mean parallel? 'list' lists them.", Assert.Single(Lines(error)));
    }

    private static string[] Lines(StringWriter writer) =>
        writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => Regex.Replace(l, @"@127\.0\.0\.1:\d+", "@HOST")).ToArray();
}
