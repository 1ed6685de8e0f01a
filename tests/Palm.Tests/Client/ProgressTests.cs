using System.Diagnostics;
using Akka.Configuration;
using Palm.Client;
using Palm.Messages;
using Palm.TestKit;
using Palm.Tests.Support;
using Xunit;

namespace Palm.Tests.Client;

/// <summary>Every job either makes progress or fails naming where it is stuck: never an endless wait.</summary>
public sealed class ProgressTests() : Akka.TestKit.Xunit2.TestKit(ConfigurationFactory.ParseString("palm.ask-timeout = 1s"))
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private static async Task<List<JobResult>> Collect(IAsyncEnumerable<JobResult> job)
    {
        var results = new List<JobResult>();
        await foreach (var r in job.WithTimeout(Bound)) results.Add(r);
        return results;
    }

    [Fact]
    public async Task A_job_whose_server_never_returns_fails_naming_the_server_that_does_not_answer()
    {
        var name = Gate.UniqueName("stuck");
        await this.StartPalmServerAsync<GateServer>(name);
        await using var client = await this.ConnectPalmClientAsync();
        var gate = Gate.For(name);
        try
        {
            var clock = Stopwatch.StartNew();
            var e = await Assert.ThrowsAsync<PalmJobFailedException>(() =>
                Collect(client.RunJob([$"{name}.wait"], [Text.Bytes("a"), Text.Bytes("b")], new JobOptions { ProgressTimeout = TimeSpan.FromMilliseconds(500) })));
            // A serial server awaiting its call takes no other message, status requests included.
            Assert.Contains($"server '{name}' (", e.Message);
            Assert.Contains("did not answer a status request within 1 s", e.Message);
            Assert.Contains("2 inputs were outstanding (inputs 0, 1)", e.Message);
            Assert.Equal((name, "wait"), (e.Server, e.Function));
            Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(15));
        }
        finally
        {
            gate.Open.TrySetResult();
        }
    }

    [Fact]
    public async Task An_eval_whose_server_never_returns_fails_instead_of_waiting_forever()
    {
        var name = Gate.UniqueName("stuck");
        await this.StartPalmServerAsync<GateServer>(name);
        await using var client = await this.ConnectPalmClientAsync();
        var gate = Gate.For(name);
        try
        {
            var e = await Assert.ThrowsAsync<PalmJobFailedException>(() =>
                client.EvalAsync([$"{name}.wait"], Text.Bytes("a"), new JobOptions { ProgressTimeout = TimeSpan.FromMilliseconds(500) }).WaitAsync(Bound));
            Assert.Contains($"server '{name}'", e.Message);
            Assert.Contains("1 input was outstanding (input 0)", e.Message);
        }
        finally
        {
            gate.Open.TrySetResult();
        }
    }

    [Fact]
    public async Task A_lost_result_fails_the_job_naming_the_inputs_outstanding_and_where_they_were_last_seen()
    {
        await this.StartPalmServerAsync<FaultyServer>("faulty");
        await using var client = await this.ConnectPalmClientAsync();
        var results = new List<JobResult>();
        var clock = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<PalmJobFailedException>(async () =>
        {
            var inputs = new[] { "a", "lose", "b", "lose", "c" }.Select(Text.Bytes);
            await foreach (var r in client.RunJob(["faulty.pass"], inputs, new JobOptions { ProgressTimeout = TimeSpan.FromMilliseconds(500) }).WithTimeout(Bound))
                results.Add(r);
        });

        Assert.Equal(["a", "b", "c"], results.Select(r => Text.Of(r.Payload)).Order());
        Assert.Contains("nothing of input 1 (its oldest outstanding) came back for 1 s", e.Message);
        Assert.Contains("every server on the route ('faulty') answered", e.Message);
        Assert.Contains("2 inputs were outstanding (inputs 1, 3)", e.Message);
        Assert.Contains("sent them to server 'faulty'", e.Message);
        Assert.Contains("lost in transit", e.Message);
        Assert.Equal(("faulty", "pass"), (e.Server, e.Function));
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task A_lost_input_fails_the_job_by_name_even_while_the_others_stream_by()
    {
        await this.StartPalmServerAsync<FaultyServer>("faulty");
        await using var client = await this.ConnectPalmClientAsync();

        async IAsyncEnumerable<byte[]?> Endless()
        {
            for (var i = 0; ; i++)
            {
                yield return Text.Bytes(i == 1 ? "lose" : "x");
                if (i % 64 == 0) await Task.Yield();
            }
        }

        long received = 0;
        var e = await Assert.ThrowsAsync<PalmJobFailedException>(async () =>
        {
            await foreach (var _ in client.RunJob(["faulty.pass"], Endless(), new JobOptions { Window = 64, ProgressTimeout = TimeSpan.FromMilliseconds(500) }).WithTimeout(Bound))
                received++;
        });
        Assert.True(received > 100, $"only {received} results arrived before the failure");
        Assert.Contains("nothing of input 1 (its oldest outstanding)", e.Message);
        Assert.Matches(@"\(inputs? 1[,)]", e.Message);
    }

    [Fact]
    public async Task A_duplicated_result_is_counted_once_and_the_job_completes()
    {
        await this.StartPalmServerAsync<FaultyServer>("faulty");
        await using var client = await this.ConnectPalmClientAsync();
        var results = await Collect(client.RunJob(["faulty.pass"], new[] { "a", "dup", "b", "dup" }.Select(Text.Bytes)));

        Assert.Equal([0L, 1L, 2L, 3L], results.Select(r => r.InputIndex).Order());
        Assert.Equal(2, client.Counters.Duplicates);
    }

    [Fact]
    public async Task A_slow_job_that_makes_progress_does_not_fail()
    {
        await this.StartPalmServerAsync<SlowServer>("slow");
        await using var client = await this.ConnectPalmClientAsync();
        // 30 calls of 200 ms reach the server in one envelope: 6 s of work, twice the progress timeout
        // plus the ask timeout; the server's results stream back while it works.
        var inputs = Enumerable.Range(0, 30).Select(i => Text.Bytes($"m{i}"));
        var results = await Collect(client.RunJob(["slow.slow"], inputs, new JobOptions { ProgressTimeout = TimeSpan.FromSeconds(2) }));
        Assert.Equal(30, results.Count);
    }

    [Fact]
    public async Task A_reader_that_does_not_read_is_not_a_lack_of_progress()
    {
        await this.StartPalmServerAsync<WordsServer>("w");
        await using var client = await this.ConnectPalmClientAsync();
        var timeout = TimeSpan.FromMilliseconds(300);
        var results = new List<JobResult>();
        await foreach (var r in client.RunJob(["w.upper"], new[] { "a", "b", "c", "d", "e", "f" }.Select(Text.Bytes), new JobOptions { Window = 2, ProgressTimeout = timeout }).WithTimeout(Bound))
        {
            results.Add(r);
            // The condition under test is time passing while the window is full of unread results
            // (nothing is owed by the cluster): many progress timeouts, not a synchronization.
            if (results.Count == 1) await Task.Delay(timeout * 6);
        }
        Assert.Equal(["A", "B", "C", "D", "E", "F"], results.Select(r => Text.Of(r.Payload)).Order());
    }
}
