using System.Diagnostics;
using Palm.Client;
using Palm.Messages;
using Palm.TestKit;
using Palm.Tests.Support;
using Xunit;

namespace Palm.Tests.Dispatch;

/// <summary>
/// An output whose next step names a server its node's directory does not list yet waits for it
/// (palm.server.unknown-server-wait) instead of failing at once: a node learns of a joining node a
/// moment after the client may have.
/// </summary>
public sealed class ForwarderHoldTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private static readonly JobOptions Unchecked = new() { ValidateRoute = false };

    public ForwarderHoldTests() : base("palm.server.unknown-server-wait = 3s") { }

    private async Task<PalmClient> StartX()
    {
        await this.StartPalmServerAsync<SuffixServer>("x");
        return await this.ConnectPalmClientAsync();
    }

    /// <summary>Waits until server x has taken <paramref name="count"/> messages: their outputs are then at x, waiting.</summary>
    private Task XTook(PalmClient client, int count) => AwaitAssertAsync(async () =>
    {
        var x = Assert.Single((await client.GetStatusAsync()).Servers, s => s.Name == "x");
        Assert.Equal(count, x.MessagesIn);
    }, Bound);

    [Fact]
    public async Task Outputs_for_a_server_that_is_not_listed_yet_wait_and_go_on_in_order_once_it_joins()
    {
        var client = await StartX();
        var inputs = new[] { "a", "b", "c" }.Select(Text.Bytes);
        var job = Collect(client.RunJob(["x.tag", "late.tag"], inputs, Unchecked));
        await XTook(client, 3);
        Assert.False(job.IsCompleted);

        await this.StartPalmServerAsync<SuffixServer>("late");
        var results = await job.WaitAsync(Bound);
        Assert.All(results, r => Assert.False(r.IsError, r.ToString()));
        Assert.Equal(["a>x>late", "b>x>late", "c>x>late"], results.Select(r => Text.Of(r.Payload.ToArray())));
    }

    [Fact]
    public async Task An_output_for_a_server_that_never_comes_fails_after_the_wait_naming_the_server_and_the_wait()
    {
        var client = await StartX();
        var started = Stopwatch.StartNew();
        var results = await Collect(client.RunJob(["x.tag", "never.tag"], [Text.Bytes("a")], Unchecked)).WaitAsync(Bound);

        var error = Assert.Single(results).Error!;
        Assert.Equal(PalmErrorKind.UnknownServer, error.Kind);
        Assert.Equal(("never", "tag", 1), (error.Server, error.Function, error.Stage));
        Assert.Contains("palm.server.unknown-server-wait", error.Message);
        Assert.True(started.Elapsed >= TimeSpan.FromSeconds(2.5), $"failed after {started.Elapsed}, before the 3 s wait");
        // The server that held it still serves.
        Assert.Equal("still>x", Text.Of(await client.EvalAsync(["x.tag"], Text.Bytes("still"))));
    }

    private static async Task<List<JobResult>> Collect(IAsyncEnumerable<JobResult> job)
    {
        var results = new List<JobResult>();
        await foreach (var r in job) results.Add(r);
        return results;
    }
}
