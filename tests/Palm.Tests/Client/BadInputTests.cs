using Palm.Client;
using Palm.Messages;
using Palm.TestKit;
using Palm.Tests.Support;
using Xunit;

namespace Palm.Tests.Client;

/// <summary>Bad input gets a clear, immediate error naming the cause, and the servers keep serving.</summary>
public sealed class BadInputTests : Akka.TestKit.Xunit2.TestKit
{
    // A step naming a server nobody has fails once its node has waited this long for it (ForwarderHoldTests test the wait).
    public BadInputTests() : base("palm.server.unknown-server-wait = 500ms") { }

    private async Task<PalmClient> Start()
    {
        await this.StartPalmServerAsync<WordsServer>("w");
        await this.StartPalmServerAsync<SuffixServer>("x");
        return await this.ConnectPalmClientAsync();
    }

    [Fact]
    public async Task An_empty_route_is_refused_at_once()
    {
        var client = await Start();
        var e = Assert.Throws<PalmRouteException>(() => client.RunJob([], [Text.Bytes("a")]));
        Assert.Contains("route is empty", e.Message);
        Assert.Equal(PalmRouteErrorKind.Malformed, e.Kind);
    }

    [Theory]
    [InlineData("upper")]
    [InlineData("w.")]
    [InlineData(".upper")]
    [InlineData(" w.upper")]
    public async Task A_step_not_of_the_form_server_dot_function_is_refused_at_once(string step)
    {
        var client = await Start();
        var e = Assert.Throws<PalmRouteException>(() => client.RunJob(["x.tag", step], [Text.Bytes("a")]));
        Assert.Contains($"'{step}' is not of the form 'server.function'", e.Message);
        Assert.Equal(PalmRouteErrorKind.Malformed, e.Kind);
    }

    [Fact]
    public async Task An_unknown_server_is_refused_at_once_with_the_known_ones_listed()
    {
        var client = await Start();
        var e = Assert.Throws<PalmRouteException>(() => client.RunJob(["x.tag", "nope.tag"], [Text.Bytes("a")]));
        Assert.Contains("server 'nope'", e.Message);
        Assert.Contains("known: w, x", e.Message);
        Assert.Equal((PalmRouteErrorKind.UnknownServer, "nope", "tag"), (e.Kind, e.Server, e.Function));
    }

    [Fact]
    public async Task An_unknown_function_is_refused_at_once_with_the_server_functions_listed()
    {
        var client = await Start();
        var e = await Assert.ThrowsAsync<PalmRouteException>(() => client.EvalAsync(["x.nope"], Text.Bytes("a")));
        Assert.Contains("function 'nope'", e.Message);
        Assert.Contains("echo, tag", e.Message);
        Assert.Equal((PalmRouteErrorKind.UnknownFunction, "x", "nope"), (e.Kind, e.Server, e.Function));
    }

    [Fact]
    public async Task A_null_payload_gives_an_error_result_for_that_input_and_the_job_goes_on()
    {
        var client = await Start();
        var results = new List<JobResult>();
        await foreach (var r in client.RunJob(["x.tag"], [Text.Bytes("a"), null, Text.Bytes("c")]).WithTimeout(TimeSpan.FromSeconds(20)))
            results.Add(r);
        var error = Assert.Single(results, r => r.IsError);
        Assert.Equal(1, error.InputIndex);
        Assert.Equal(PalmErrorKind.NullPayload, error.Error!.Kind);
        Assert.Equal(["a>x", "c>x"], results.Where(r => !r.IsError).Select(r => Text.Of(r.Payload)).Order());
    }

    [Fact]
    public async Task A_null_payload_to_eval_is_refused()
    {
        var client = await Start();
        await Assert.ThrowsAsync<ArgumentNullException>(() => client.EvalAsync(["x.tag"], null!));
    }

    [Fact]
    public async Task Unchecked_routes_get_error_results_from_the_server_that_meets_the_bad_step()
    {
        var client = await Start();
        var unchecked_ = new JobOptions { ValidateRoute = false };
        var results = new List<JobResult>();
        await foreach (var r in client.RunJob(["x.tag", "w.nope", "x.tag"], [Text.Bytes("a")], unchecked_).WithTimeout(TimeSpan.FromSeconds(20)))
            results.Add(r);
        var unknownFunction = Assert.Single(results).Error!;
        Assert.Equal(PalmErrorKind.UnknownFunction, unknownFunction.Kind);
        Assert.Equal(("w", "nope", 1), (unknownFunction.Server, unknownFunction.Function, unknownFunction.Stage));

        results.Clear();
        await foreach (var r in client.RunJob(["x.tag", "gone.tag"], [Text.Bytes("a")], unchecked_).WithTimeout(TimeSpan.FromSeconds(20)))
            results.Add(r);
        var unknownServer = Assert.Single(results).Error!;
        Assert.Equal(PalmErrorKind.UnknownServer, unknownServer.Kind);
        Assert.Equal(("gone", 1), (unknownServer.Server, unknownServer.Stage));

        Assert.Equal("still>x", Text.Of(await client.EvalAsync(["x.tag"], Text.Bytes("still"))));
    }

    [Fact]
    public async Task A_payload_over_the_size_limit_gives_an_error_result_instead_of_being_dropped()
    {
        var client = await Start();
        var huge = new byte[client.Settings.MaxPayloadBytes + 1];
        var results = new List<JobResult>();
        await foreach (var r in client.RunJob(["x.echo"], [huge, Text.Bytes("small")]).WithTimeout(TimeSpan.FromSeconds(20)))
            results.Add(r);
        var error = Assert.Single(results, r => r.IsError).Error!;
        Assert.Equal(PalmErrorKind.PayloadTooLarge, error.Kind);
        // The one wording of the size check (PayloadLimit), here for an input.
        Assert.Equal($"Input 0 has {huge.Length} bytes; palm.max-payload-bytes allows {client.Settings.MaxPayloadBytes}.", error.Message);
        Assert.Equal("small", Text.Of(Assert.Single(results, r => !r.IsError).Payload));
        var eval = await Assert.ThrowsAsync<PalmFunctionException>(() => client.EvalAsync(["x.echo"], huge));
        Assert.Equal(error.Message, eval.Error.Message);
    }

    [Fact]
    public async Task A_source_that_throws_fails_the_job_with_its_exception()
    {
        var client = await Start();
        static IEnumerable<byte[]?> Broken()
        {
            yield return Text.Bytes("a");
            throw new IOException("disk gone");
        }
        var e = await Assert.ThrowsAsync<IOException>(async () =>
        {
            await foreach (var _ in client.RunJob(["x.tag"], Broken()).WithTimeout(TimeSpan.FromSeconds(20)))
            {
            }
        });
        Assert.Equal("disk gone", e.Message);
    }
}
