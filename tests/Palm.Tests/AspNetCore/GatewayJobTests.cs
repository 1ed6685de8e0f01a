using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Palm.Tests.Support;
using Xunit;

namespace Palm.Tests.AspNetCore;

/// <summary>
/// <c>POST jobs/{route}</c>, streamed jobs through a real Kestrel and a real cluster: an upload-first client with 100,000
/// payloads, both framings, error results, refusals, and a client that leaves mid-job.
/// </summary>
[Trait(TestCategories.Category, TestCategories.Cluster)]
public sealed class GatewayJobTests(GatewayFixture gateway) : IClassFixture<GatewayFixture>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private static byte[] Payload(int i) => Text.Bytes($"item-{i:D8}-".PadRight(100, 'x'));

    [Fact]
    public async Task A_client_that_uploads_100000_payloads_before_reading_gets_every_result_exactly_while_the_gateway_spools_in_bounded_memory()
    {
        const int count = 100_000;
        var uploaded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"jobs/w.upper?total={count}")
        {
            Content = new PushContent(async stream =>
            {
                // The whole body goes out before a byte of the response is read, as curl, Python requests or a buffered upload do.
                using var batch = new MemoryStream();
                for (var i = 0; i < count; i++)
                {
                    batch.Write(PalmFrames.Input(Payload(i)));
                    if (batch.Length < 64 * 1024) continue;
                    await stream.WriteAsync(batch.GetBuffer().AsMemory(0, (int)batch.Length));
                    batch.SetLength(0);
                }
                await stream.WriteAsync(batch.GetBuffer().AsMemory(0, (int)batch.Length));
                uploaded.TrySetResult();
            }, PalmFramesType),
        };
        var clock = Stopwatch.StartNew();
        using var response = await gateway.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).WaitAsync(Bound);
        await uploaded.Task.WaitAsync(Bound);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(PalmFramesType, response.Content.Headers.ContentType?.MediaType);
        var seen = new bool[count];
        PalmFrame? end = null;
        await foreach (var frame in PalmFrames.ReadAsync(await response.Content.ReadAsStreamAsync()).WithTimeout(Bound))
        {
            if (frame.Type == 3)
            {
                end = frame;
                continue;
            }
            Assert.Equal(0, frame.Type);
            Assert.False(seen[frame.Input], $"input {frame.Input} answered twice");
            seen[frame.Input] = true;
            Assert.Equal(Text.Of(Payload((int)frame.Input)).ToUpperInvariant(), Text.Of(frame.Body));
        }

        Assert.All(seen, Assert.True);
        Assert.NotNull(end);
        var summary = JsonDocument.Parse(end.Body).RootElement;
        Assert.Equal((count, count, 0), (summary.GetProperty("inputs").GetInt32(), summary.GetProperty("results").GetInt32(), summary.GetProperty("errors").GetInt32()));
        // The client read nothing until its upload ended: the results that waited went to the spool's file, never past its memory bound.
        var jobs = gateway.Gateway.Jobs;
        Assert.True(jobs.SpilledBytes > 0, "the spool never spilled: the test did not hold results back");
        Assert.InRange(jobs.SpoolHighWaterBytes, 1, GatewayFixture.SpoolBound);
        Console.WriteLine($"gateway: {count:N0} payloads upload-first in {clock.Elapsed.TotalSeconds:0.0} s, spilled {jobs.SpilledBytes / 1024.0 / 1024:0.0} MiB, "
            + $"spool memory high-water {jobs.SpoolHighWaterBytes / 1024.0:0.0} KiB of {GatewayFixture.SpoolBound / 1024} KiB");
    }

    [Fact]
    public async Task Pylm_template_example_ten_messages_as_ndjson_each_answered_by_a_worker()
    {
        // pylm's template example: client.job('server.foo', repeat(b'a message', 10), messages=10), over HTTP.
        var body = string.Concat(Enumerable.Repeat("{\"text\":\"a message\"}\n", 10));
        using var response = await gateway.Http.PostAsync("jobs/pylm.foo", new StringContent(body, Encoding.UTF8, NdjsonType)).WaitAsync(Bound);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(NdjsonType, response.Content.Headers.ContentType?.MediaType);
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        var results = lines[..^1];
        Assert.Equal(Enumerable.Range(0, 10), results.Select(r => r.GetProperty("input").GetInt32()).Order());
        Assert.All(results, r => Assert.Matches(@"^pylm/worker-\d+@.+ processed a message$", Text.Of(r.GetProperty("payload").GetBytesFromBase64())));
        Assert.True(lines[^1].GetProperty("end").GetBoolean());
        Assert.Equal(10, lines[^1].GetProperty("results").GetInt32());
    }

    [Fact]
    public async Task Pylm_gateway_example_one_message_evaluated_by_a_worker()
    {
        // pylm's gateway example: one HTTP request, answered by a worker's foo.
        using var response = await gateway.EvalAsync("pylm.foo", Text.Bytes("a message"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Matches(@"^pylm/worker-\d+@.+ processed a message$", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_error_result_is_a_frame_naming_its_input_server_function_and_exception_and_the_job_goes_on()
    {
        var body = new[] { "a", "bad", "c" }.SelectMany(s => PalmFrames.Input(Text.Bytes(s))).ToArray();
        using var response = await gateway.Http.PostAsync("jobs/w.picky", new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue(PalmFramesType) } }).WaitAsync(Bound);

        var frames = await PalmFrames.ReadAsync(await response.Content.ReadAsStreamAsync()).WithTimeout(Bound).ToListAsync();
        Assert.Equal([(0L, (byte)0, "a"), (2L, (byte)0, "c")], frames.Where(f => f.Type == 0).Select(f => (f.Input, f.Type, Text.Of(f.Body))).Order());
        var error = JsonDocument.Parse(Assert.Single(frames, f => f.Type == 1 && f.Input == 1).Body).RootElement;
        Assert.Equal(("FunctionFailed", "w", "picky", "System.FormatException"), (error.GetProperty("kind").GetString(), error.GetProperty("server").GetString(),
            error.GetProperty("function").GetString(), error.GetProperty("exceptionType").GetString()));
        Assert.Equal((byte)3, frames[^1].Type);
    }

    [Fact]
    public async Task An_input_frame_longer_than_the_limit_is_413_from_its_length_prefix_alone()
    {
        var prefix = PalmFrames.Input([])[..4];
        BitConverter.TryWriteBytes(prefix, (uint)GatewayFixture.MaxPayload + 1);
        using var response = await gateway.Http.PostAsync("jobs/w.echo", new ByteArrayContent(prefix) { Headers = { ContentType = new MediaTypeHeaderValue(PalmFramesType) } }).WaitAsync(Bound);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var problem = await GatewayFixture.ProblemOf(response);
        Assert.Equal(("PayloadTooLarge", "w", "echo"), (problem.GetProperty("kind").GetString(), problem.GetProperty("server").GetString(), problem.GetProperty("function").GetString()));
        Assert.Contains($"Input 0 has {GatewayFixture.MaxPayload + 1} bytes", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_job_body_of_another_media_type_is_415_and_an_unknown_server_404()
    {
        using var text = await gateway.Http.PostAsync("jobs/w.upper", new StringContent("a\nb\n"));
        using var unknown = await gateway.Http.PostAsync("jobs/nope.upper", new StringContent("", Encoding.UTF8, NdjsonType));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, text.StatusCode);
        Assert.Contains(PalmFramesType, (await GatewayFixture.ProblemOf(text)).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("UnknownServer", (await GatewayFixture.ProblemOf(unknown)).GetProperty("kind").GetString());
    }

    [Fact]
    public async Task A_client_that_leaves_mid_job_stops_its_job_and_the_cluster_gets_no_more_of_its_inputs()
    {
        var client = await StreamingClient.StartAsync(gateway.Base, "/palm/jobs/w.upper", Payload);
        await Eventually.AssertAsync(() => Assert.True(client.Received > 500_000, $"{client.Received} bytes of results so far"), Bound);
        Assert.Contains(await gateway.JobsAsync(), j => j.GetProperty("kind").GetString() == "stream" && j.GetProperty("route").GetString() == "w.upper");

        await client.DisposeAsync();

        await Eventually.AssertAsync(async () => Assert.DoesNotContain(await gateway.JobsAsync(), j => j.GetProperty("kind").GetString() == "stream"), Bound);
        // The job is over: the gateway's client issues the next eval's input and nothing more of the endless upload.
        var issued = gateway.Client.Counters.InputsIssued;
        using (var eval = await gateway.EvalAsync("w.upper", Text.Bytes("after")))
            Assert.Equal("AFTER", await eval.Content.ReadAsStringAsync());
        Assert.Equal(issued + 1, gateway.Client.Counters.InputsIssued);
    }

    private const string PalmFramesType = "application/x-palm-frames";
    private const string NdjsonType = "application/x-ndjson";
}
