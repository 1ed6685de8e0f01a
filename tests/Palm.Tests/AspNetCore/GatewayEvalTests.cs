using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Palm.Tests.Support;
using Xunit;

namespace Palm.Tests.AspNetCore;

/// <summary><c>POST eval/{route}</c> through a real Kestrel and a real cluster: exact results, and each error as its status and problem.</summary>
[Trait(TestCategories.Category, TestCategories.Cluster)]
public sealed class GatewayEvalTests(GatewayFixture gateway) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task Eval_answers_the_result_of_a_route_of_several_steps_as_the_response_body()
    {
        using var response = await gateway.EvalAsync("w.upper,w.later", Text.Bytes("hello"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("HELLO!", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Eval_carries_any_bytes_there_and_back_exactly()
    {
        var payload = new byte[GatewayFixture.MaxPayload];
        new Random(21).NextBytes(payload);

        using var response = await gateway.EvalAsync("w.echo", payload);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(payload, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_route_that_emits_nothing_answers_204()
    {
        using var response = await gateway.EvalAsync("w.nothing", Text.Bytes("x"));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    [Theory]
    [InlineData("upper")]
    [InlineData("w.upper,,w.upper")]
    [InlineData("w.")]
    public async Task A_malformed_route_is_400_naming_the_step(string route)
    {
        using var response = await gateway.EvalAsync(route, Text.Bytes("x"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await GatewayFixture.ProblemOf(response);
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        Assert.Equal("Malformed", problem.GetProperty("kind").GetString());
        Assert.Contains("is not of the form 'server.function'", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task An_unknown_server_is_404_naming_it_and_the_servers_there_are()
    {
        using var response = await gateway.EvalAsync("w.upper,nope.upper", Text.Bytes("x"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var problem = await GatewayFixture.ProblemOf(response);
        Assert.Equal(("UnknownServer", "nope", "upper"), (problem.GetProperty("kind").GetString(), problem.GetProperty("server").GetString(), problem.GetProperty("function").GetString()));
        Assert.Contains("known: faulty, pylm, w", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task An_unknown_function_is_404_naming_it_and_the_functions_there_are()
    {
        using var response = await gateway.EvalAsync("w.nope", Text.Bytes("x"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var problem = await GatewayFixture.ProblemOf(response);
        Assert.Equal(("UnknownFunction", "w", "nope"), (problem.GetProperty("kind").GetString(), problem.GetProperty("server").GetString(), problem.GetProperty("function").GetString()));
        Assert.Contains("upper", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_payload_over_the_limit_is_413_from_its_content_length()
    {
        using var response = await gateway.EvalAsync("w.echo", new byte[GatewayFixture.MaxPayload + 1]);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var problem = await GatewayFixture.ProblemOf(response);
        Assert.Equal(("PayloadTooLarge", "w", "echo"), (problem.GetProperty("kind").GetString(), problem.GetProperty("server").GetString(), problem.GetProperty("function").GetString()));
        Assert.Contains($"{GatewayFixture.MaxPayload + 1} bytes; palm.max-payload-bytes allows {GatewayFixture.MaxPayload}", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_chunked_payload_is_413_once_past_the_limit_while_its_body_has_not_ended()
    {
        // A raw HTTP/1.1 client: a chunked body one byte past the limit, never finished, and the answer read meanwhile.
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(gateway.Base.Host, gateway.Base.Port);
        var stream = tcp.GetStream();
        var past = GatewayFixture.MaxPayload + 1;
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"POST /palm/eval/w.echo HTTP/1.1\r\nHost: {gateway.Base.Authority}\r\nTransfer-Encoding: chunked\r\n\r\n{past:x}\r\n"));
        await stream.WriteAsync(new byte[past]);
        await stream.WriteAsync("\r\n"u8.ToArray());

        // The answer's head and body (Kestrel closes the connection after it, having read no further).
        using var reader = new StreamReader(stream, Encoding.ASCII);
        var head = new List<string>();
        while (await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)) is { Length: > 0 } line) head.Add(line);
        // The JSON is one line of the chunked body, after its chunk's size.
        string? json;
        do json = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
        while (json is not null && !json.StartsWith('{'));
        var answer = string.Join("\n", head) + "\n" + json;

        Assert.StartsWith("HTTP/1.1 413 ", answer);
        Assert.Contains("application/problem+json", answer);
        Assert.Contains("\"kind\":\"PayloadTooLarge\"", answer);
        Assert.Contains($"palm.max-payload-bytes allows {GatewayFixture.MaxPayload}", answer);
    }

    [Fact]
    public async Task A_function_that_threw_is_502_naming_server_function_and_exception()
    {
        using var response = await gateway.EvalAsync("w.upper,w.boom", Text.Bytes("x"));

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        var problem = await GatewayFixture.ProblemOf(response);
        Assert.Equal(("FunctionFailed", "w", "boom", 1), (problem.GetProperty("kind").GetString(), problem.GetProperty("server").GetString(),
            problem.GetProperty("function").GetString(), problem.GetProperty("stage").GetInt32()));
        Assert.Equal("System.InvalidOperationException", problem.GetProperty("exceptionType").GetString());
        Assert.Contains("kaput on 'X'", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_job_that_stalls_is_503_naming_what_was_lost()
    {
        var clock = Stopwatch.StartNew();
        using var response = await gateway.EvalAsync("faulty.pass", Text.Bytes("lose"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var problem = await GatewayFixture.ProblemOf(response);
        Assert.Equal("JobFailed", problem.GetProperty("kind").GetString());
        Assert.Contains("lost in transit", problem.GetProperty("detail").GetString());
        Assert.Equal(("faulty", "pass"), (problem.GetProperty("server").GetString(), problem.GetProperty("function").GetString()));
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task Status_is_the_cluster_as_json_with_every_server_instance()
    {
        using var response = await gateway.Http.GetAsync("status");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var status = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(gateway.Cluster.Seed.Address, status.GetProperty("contact").GetString());
        var servers = status.GetProperty("servers").EnumerateArray()
            .Select(s => (s.GetProperty("name").GetString(), s.GetProperty("role").GetString(), s.GetProperty("state").GetString())).ToArray();
        Assert.Contains(("w", "standalone", "Up"), servers);
        Assert.Contains(("faulty", "standalone", "Up"), servers);
        Assert.Contains(("pylm", "leader", "Up"), servers);
        Assert.Contains(("pylm", "worker", "Up"), servers);
        var nodes = status.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("address").GetString()).ToArray();
        Assert.Equal(gateway.Cluster.Nodes.Select(n => n.Address).Order(), nodes.Order());
    }
}
