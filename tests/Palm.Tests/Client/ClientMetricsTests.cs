using Akka.Configuration;
using Palm.Hosting;
using Palm.TestKit;
using Palm.Tests.Support;
using Xunit;

namespace Palm.Tests.Client;

/// <summary>The client instruments of the <c>Palm</c> meter: jobs by how they ended, and their inputs, read in process.</summary>
public sealed class ClientMetricsTests() : Akka.TestKit.Xunit2.TestKit(Config.Empty, Gate.UniqueName("client-metrics"))
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Jobs_are_counted_by_how_they_ended_and_inputs_as_issued_and_completed_until_the_client_is_disposed()
    {
        await this.StartPalmServerAsync<WordsServer>("w");
        var client = await this.ConnectPalmClientAsync();
        using var capture = new MeterCapture();
        var node = ("palm.node", PalmNode.Get(Sys).Address);
        double? Read(string instrument) => capture.Value($"palm.client.{instrument}", node);

        Assert.Equal(30, await client.RunJob(["w.upper"], Enumerable.Range(0, 30).Select(i => Text.Bytes($"x{i}"))).WithTimeout(Wait).CountAsync());
        Assert.Equal("Y", Text.Of(await client.EvalAsync(["w.upper"], Text.Bytes("y")).WaitAsync(Wait)));
        Assert.Equal(31, Read("inputs_issued"));
        Assert.Equal(31, Read("inputs_completed"));

        IEnumerable<byte[]?> Failing()
        {
            yield return Text.Bytes("a");
            throw new InvalidOperationException("the source broke");
        }
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await client.RunJob(["w.upper"], Failing()).WithTimeout(Wait).CountAsync());
        await foreach (var _ in client.RunJob(["w.upper"], Enumerable.Repeat(Text.Bytes("z"), 1000)).WithTimeout(Wait))
            break;

        Assert.Equal(4, Read("jobs_started"));
        Assert.Equal(2, Read("jobs_completed"));
        Assert.Equal(1, Read("jobs_failed"));
        Assert.Equal(1, Read("jobs_cancelled"));
        Assert.Equal(0, Read("jobs_running"));
        Assert.True(Read("inputs_issued") >= Read("inputs_completed"));

        await client.DisposeAsync();

        Assert.DoesNotContain(capture.Collect(), r => r.Instrument.StartsWith("palm.client.", StringComparison.Ordinal) && r.Has(node));
    }
}
