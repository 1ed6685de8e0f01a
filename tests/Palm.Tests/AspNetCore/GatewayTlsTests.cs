using System.Net;
using System.Text;
using System.Text.Json;
using Palm.Hosting;
using Palm.Tests.Support;
using Xunit;

namespace Palm.Tests.AspNetCore;

/// <summary>
/// docs/gateway.md's TLS section against the real gateway program: Kestrel's HTTPS on the HTTP side and, with the
/// cluster's <c>palm.tls</c> on, the gateway's own client certificate on the cluster side; a certificate from another CA
/// named in one line; and a streamed job (both framings, over HTTP/2) whose server leaves mid-way ends with a failed frame.
/// </summary>
[Trait(TestCategories.Category, TestCategories.Cluster)]
public sealed class GatewayTlsTests(TlsGatewayFixture gateway) : IClassFixture<TlsGatewayFixture>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private const string FramesType = "application/x-palm-frames";
    private const string NdjsonType = "application/x-ndjson";

    /// <summary>Results read before the tests make the route's server leave.</summary>
    private const int ReadBeforeLeaving = 200;

    private static string Input(int i) => $"input-{i}";

    [Fact]
    public async Task Over_HTTPS_a_gateway_with_its_own_client_certificate_evaluates_exactly_and_answers_status()
    {
        using var eval = await gateway.Https.PostAsync("eval/w.upper", new ByteArrayContent(Text.Bytes("over https and palm.tls")));
        using var status = await gateway.Https.GetAsync("status");

        Assert.Equal("https", eval.RequestMessage!.RequestUri!.Scheme);
        Assert.Equal(HttpStatusCode.OK, eval.StatusCode);
        Assert.Equal("OVER HTTPS AND PALM.TLS", await eval.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        var json = JsonDocument.Parse(await status.Content.ReadAsStringAsync()).RootElement;
        Assert.StartsWith("akka.ssl.tcp://palm@127.0.0.1:", json.GetProperty("contact").GetString());
        var w = Assert.Single(json.GetProperty("servers").EnumerateArray(), s => s.GetProperty("name").GetString() == "w");
        Assert.Equal((gateway.ServerNode.Address, "Up"), (w.GetProperty("node").GetString(), w.GetProperty("state").GetString()));
        // The gateway is a client: it is none of the members.
        Assert.All(json.GetProperty("nodes").EnumerateArray(), n => Assert.StartsWith("akka.ssl.tcp://palm@", n.GetProperty("address").GetString()));
        Assert.Contains(json.GetProperty("nodes").EnumerateArray(), n => n.GetProperty("address").GetString() == gateway.Cluster.Seed.Address);
    }

    [Fact]
    public async Task A_gateway_whose_client_certificate_is_from_another_CA_exits_with_4_and_one_line_naming_that_CA()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await gateway.StartGateway(gateway.ConfigFile("stranger-gateway", gateway.Ours.CaCrt), output, CancellationToken.None, error).WaitAsync(Bound);

        Assert.Equal(PalmExitCodes.Unreachable, code);
        var line = Assert.Single(error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"palm: Cannot connect to {gateway.Cluster.Seed.Address}", line);
        Assert.Contains("the node refused this client's certificate", line);
        Assert.Contains("issued by 'CN=Other CA", line);
        Assert.DoesNotContain("gateway up", output.ToString());
    }

    [Fact]
    public async Task Plain_HTTP_to_the_HTTPS_port_gets_no_answer_from_Palm()
    {
        using var plain = new HttpClient { Timeout = Bound };
        var port = gateway.Base.Port;

        // Kestrel takes the request for a broken TLS handshake and closes the connection: no HTTP answer at all.
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => plain.GetAsync($"http://127.0.0.1:{port}/status"));
        Assert.Contains(refused.HttpRequestError, new[] { HttpRequestError.ResponseEnded, HttpRequestError.InvalidResponse });
    }

    [Fact]
    public async Task A_framed_job_whose_server_leaves_mid_way_gets_its_results_then_a_failed_frame_naming_the_server_and_ends()
    {
        const string server = "leaver-frames";
        var node = await StartLeaverAsync(server);
        using var upload = new CancellationTokenSource();
        using var response = await StartJobAsync(server, FramesType, i => PalmFrames.Input(Text.Bytes(Input(i))), upload.Token);

        var frames = new List<PalmFrame>();
        Task? leaving = null;
        await foreach (var frame in PalmFrames.ReadAsync(await response.Content.ReadAsStreamAsync()).WithTimeout(Bound))
        {
            frames.Add(frame);
            if (frames.Count == ReadBeforeLeaving) leaving = gateway.Cluster.StopNodeAsync(node);
        }
        await upload.CancelAsync();

        Assert.NotNull(leaving);
        await leaving.WaitAsync(Bound);
        // Every frame but the last is an exact result; the last says the job failed, naming the server that left.
        Assert.All(frames[..^1], f => Assert.Equal((0, Input((int)f.Input).ToUpperInvariant()), (f.Type, Text.Of(f.Body))));
        Assert.True(frames.Count > ReadBeforeLeaving);
        var failed = frames[^1];
        Assert.Equal((-1L, (byte)2), (failed.Input, failed.Type));
        AssertFailedNaming(server, JsonDocument.Parse(failed.Body).RootElement);
        await AssertJobGoneAsync();
    }

    [Fact]
    public async Task An_ndjson_job_whose_server_leaves_mid_way_gets_its_results_then_a_failed_line_naming_the_server_and_ends()
    {
        const string server = "leaver-ndjson";
        var node = await StartLeaverAsync(server);
        using var upload = new CancellationTokenSource();
        using var response = await StartJobAsync(server, NdjsonType, i => Text.Bytes($"{{\"text\":\"{Input(i)}\"}}\n"), upload.Token);

        var lines = new List<JsonElement>();
        Task? leaving = null;
        using (var reader = new StreamReader(await response.Content.ReadAsStreamAsync(), Encoding.UTF8))
        {
            using var timeout = new CancellationTokenSource(Bound);
            while (await reader.ReadLineAsync(timeout.Token) is { } line)
            {
                lines.Add(JsonDocument.Parse(line).RootElement);
                if (lines.Count == ReadBeforeLeaving) leaving = gateway.Cluster.StopNodeAsync(node);
            }
        }
        await upload.CancelAsync();

        Assert.NotNull(leaving);
        await leaving.WaitAsync(Bound);
        Assert.All(lines[..^1], l => Assert.Equal(Input(l.GetProperty("input").GetInt32()).ToUpperInvariant(), Text.Of(l.GetProperty("payload").GetBytesFromBase64())));
        Assert.True(lines.Count > ReadBeforeLeaving);
        AssertFailedNaming(server, lines[^1].GetProperty("failed"));
        await AssertJobGoneAsync();
    }

    /// <summary>Starts server <paramref name="name"/> (<see cref="WordsServer"/>) on a node of its own, with its own certificate, and waits until the gateway reaches it.</summary>
    private async Task<PalmNode> StartLeaverAsync(string name)
    {
        var node = await gateway.Cluster.StartNodeAsync(gateway.Tls(name));
        await node.StartServerAsync<WordsServer>(name);
        await Eventually.AssertAsync(async () =>
        {
            using var eval = await gateway.Https.PostAsync($"eval/{name}.upper", new ByteArrayContent(Text.Bytes("ready")));
            Assert.Equal(HttpStatusCode.OK, eval.StatusCode);
        }, Bound);
        return node;
    }

    /// <summary>
    /// Starts a job on <c>{server}.upper</c> over HTTP/2, whose request body (input i framed by <paramref name="encode"/>) goes on
    /// until <paramref name="stop"/>: HTTP/2 hands over the response while the upload runs, so the test reads while it uploads.
    /// </summary>
    private async Task<HttpResponseMessage> StartJobAsync(string server, string mediaType, Func<int, byte[]> encode, CancellationToken stop)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"jobs/{server}.upper")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new PushContent(async body =>
            {
                for (var i = 0; !stop.IsCancellationRequested; i += 64)
                    await body.WriteAsync(Enumerable.Range(i, 64).SelectMany(encode).ToArray(), stop);
            }, mediaType),
        };
        var response = await gateway.Https.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).WaitAsync(Bound);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(2, response.Version.Major);
        return response;
    }

    private static void AssertFailedNaming(string server, JsonElement problem)
    {
        Assert.Equal(("JobFailed", 503), (problem.GetProperty("kind").GetString(), problem.GetProperty("status").GetInt32()));
        Assert.Contains($"server '{server}'", problem.GetProperty("detail").GetString());
    }

    /// <summary>The failed job left the gateway's job table.</summary>
    private async Task AssertJobGoneAsync() =>
        await Eventually.AssertAsync(async () =>
        {
            var jobs = JsonDocument.Parse(await gateway.Https.GetStringAsync("jobs")).RootElement;
            Assert.DoesNotContain(jobs.EnumerateArray(), j => j.GetProperty("kind").GetString() == "stream");
        }, Bound);
}
