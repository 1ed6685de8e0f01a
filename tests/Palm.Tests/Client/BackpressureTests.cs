using Palm.Client;
using Palm.TestKit;
using Palm.Tests.Support;
using Xunit;

namespace Palm.Tests.Client;

/// <summary>The client's window bounds what is in flight: an endless source is pulled at the consumer's pace.</summary>
public sealed class BackpressureTests : Akka.TestKit.Xunit2.TestKit
{
    [Fact]
    public async Task An_endless_source_is_pulled_no_further_ahead_of_the_consumer_than_the_window()
    {
        await this.StartPalmServerAsync<WordsServer>("w");
        await using var client = await this.ConnectPalmClientAsync();
        const int window = 16;
        long pulled = 0;

        IEnumerable<byte[]?> Endless()
        {
            while (true)
            {
                Interlocked.Increment(ref pulled);
                yield return Text.Bytes("x");
            }
        }

        long consumed = 0;
        await foreach (var _ in client.RunJob(["w.split"], Endless(), new JobOptions { Window = window }).WithTimeout(TimeSpan.FromSeconds(30)))
        {
            consumed++;
            // Each input yields one result; the window is released when the consumer has taken it,
            // so the source can be at most `window` inputs (plus the one being read) ahead.
            Assert.InRange(Interlocked.Read(ref pulled), consumed, consumed + window + 1);
            if (consumed == 2000) break;
        }
        Assert.Equal(2000, consumed);
    }

    [Fact]
    public async Task Breaking_out_of_a_job_stops_its_source_and_leaves_the_client_usable()
    {
        await this.StartPalmServerAsync<WordsServer>("w");
        await using var client = await this.ConnectPalmClientAsync();
        var disposed = new TaskCompletionSource();

        IEnumerable<byte[]?> Endless()
        {
            try
            {
                while (true) yield return Text.Bytes("y");
            }
            finally
            {
                disposed.TrySetResult();
            }
        }

        await foreach (var _ in client.RunJob(["w.upper"], Endless()).WithTimeout(TimeSpan.FromSeconds(30)))
            break;
        await disposed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("Z", Text.Of(await client.EvalAsync(["w.upper"], Text.Bytes("z"))));
    }
}
