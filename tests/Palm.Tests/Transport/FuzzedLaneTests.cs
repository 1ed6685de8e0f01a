using System.Buffers.Binary;
using Akka.Configuration;
using Palm.Client;
using Palm.Servers;
using Palm.TestKit;
using Palm.Tests.Templates.Parallel;
using Palm.Tests.Templates.Reduce;
using Palm.Tests.Support;
using Palm.Transport;
using Palm.Transport.Internal;
using Xunit;

namespace Palm.Tests.Transport;

/// <summary>
/// A real pipeline across actor systems whose lanes and Akka.Remote sends all drop, duplicate, delay
/// and reorder frames, envelopes and confirmations at random: every result still arrives exactly once.
/// The sessions are the only loss recovery: no butterfly answer check, no flush sent again by the client.
/// </summary>
[Trait(TestCategories.Category, TestCategories.Cluster)]
public sealed class FuzzedLaneTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(120);

    private static readonly Config Fuzzed = ConfigurationFactory.ParseString("""
        palm.lane {
          retry-after = 200ms
          resend-interval = 150ms
        }
        """);

    private static readonly LaneFuzzingSettings Faults = new(Drop: 0.1, Duplicate: 0.05, Delay: 0.05, Reorder: 0.05, MaxDelay: TimeSpan.FromMilliseconds(30), Seed: 7);

    private static byte[] Payload(int index) =>
        [.. BitConverter.GetBytes(index), .. Enumerable.Repeat((byte)(index * 31), index % 10 == 0 ? 20_000 : 60)];

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_pipeline_whose_lanes_and_Akka_remote_drop_duplicate_delay_and_reorder_delivers_every_result_exactly_once(bool lanesOn)
    {
        await using var cluster = await PalmTestCluster.StartAsync(ConfigurationFactory.ParseString($"palm.lane.enabled = {(lanesOn ? "on" : "off")}").WithFallback(Fuzzed));
        var a = await cluster.StartServerAsync<WordsServer>("a");
        var b = await cluster.StartServerAsync<SuffixServer>("b");
        var client = await cluster.ConnectClientAsync();
        await client.WaitForServersAsync(["a", "b"], TimeSpan.FromSeconds(30));
        DataLanes[] lanes = [DataLanes.Get(client.System), DataLanes.Get(a.System), DataLanes.Get(b.System)];
        foreach (var l in lanes.Append(DataLanes.Get(cluster.Seed.System))) l.Fuzzing = new LaneFuzzing(Faults);

        const int count = 3000;
        var seen = new bool[count];
        await foreach (var r in client.RunJob(["a.echo", "b.echo"], Enumerable.Range(0, count).Select(Payload)).WithTimeout(TimeSpan.FromSeconds(120)))
        {
            Assert.False(r.IsError, r.Error?.Message);
            var index = BinaryPrimitives.ReadInt32LittleEndian(r.Payload.Span);
            Assert.False(seen[index], $"result {index} arrived twice");
            seen[index] = true;
            Assert.True(r.Payload.Span.SequenceEqual(Payload(index)), $"result {index} is corrupt");
        }
        Assert.All(seen, Assert.True);

        // The faults did happen, on every system, and were recovered from.
        Assert.All(lanes, l => Assert.True(l.Fuzzing!.Faults > 0));
        Assert.True(lanes.Sum(l => l.Counters.Resent) > 0, "nothing was sent again");
        Assert.True(lanes.Sum(l => l.Inbox!.Duplicates) > 0, "no duplicate reached a receiver");
        Assert.True(lanes.Sum(l => l.Inbox!.Held) > 0, "no envelope arrived ahead of a gap");
        Assert.Equal(lanesOn, lanes.Sum(l => l.Counters.Sent) > 0);
    }

    [Fact]
    public async Task A_butterfly_and_a_reduce_whose_leaders_workers_and_client_all_drop_duplicate_delay_and_reorder_give_every_result_once_and_exact_sums()
    {
        // Every server split over a leader and a worker on nodes of their own: work, answers and flushes all cross systems.
        await using var cluster = await PalmTestCluster.StartAsync(Fuzzed);
        var leaders = new[]
        {
            await cluster.StartServerAsync<CrunchServer>("c", ServerRole.Leader),
            await cluster.StartServerAsync<SumServer>("sum", ServerRole.Leader),
        };
        var workers = new[]
        {
            await cluster.StartServerAsync<CrunchServer>("c", ServerRole.Worker),
            await cluster.StartServerAsync<SumServer>("sum", ServerRole.Worker),
        };
        var client = await cluster.ConnectClientAsync();
        await AwaitAssertAsync(async () =>
            Assert.All((await client.GetStatusAsync()).Servers.Where(s => s.Role == "leader"), s => Assert.Equal(1, s.Workers)), Wait);
        var lanes = new[] { client.System }.Concat(leaders.Select(n => n.System)).Concat(workers.Select(n => n.System)).Select(DataLanes.Get).ToArray();
        foreach (var l in lanes.Append(DataLanes.Get(cluster.Seed.System))) l.Fuzzing = new LaneFuzzing(Faults);

        // The butterfly alone: each result exactly once, unchanged (c.picky returns its input). Small counts: a lost batch
        // leaves its worker idle until its session sends it again, so a butterfly under 10% loss is slow (tens of messages a second).
        const int count = 200;
        var results = await client.RunAll(["c.picky"], Enumerable.Range(1, count).Select(i => Int64s.Bytes(i)), Wait);
        Assert.All(results, r => Assert.False(r.IsError, r.ToString()));
        Assert.Equal(Enumerable.Range(1, count).Select(i => (long)i), results.Select(r => Int64s.Of(r.Payload)).Order());

        // Butterfly then reduce, many small jobs at once: each one flush, each its one exact sum. A flush, or its answer,
        // that fuzzing drops is sent again by its session alone. The client drops more from now on: a third of what it
        // sends, so that of 16 flushes one at least is dropped but for a chance of 0.7^16 ~ 0.003 (a flush that stayed
        // lost would leave its job waiting until the test times out).
        lanes[0].Fuzzing = new LaneFuzzing(new LaneFuzzingSettings(Drop: 0.3, Duplicate: 0.05, Delay: 0.05, Reorder: 0.05, TimeSpan.FromMilliseconds(30), 11));
        const int jobs = 16;
        const int inputs = 10;
        var sums = await Task.WhenAll(Enumerable.Range(0, jobs).Select(j =>
            client.RunAll(["c.picky", "sum.add"], Enumerable.Range(1, inputs).Select(i => Int64s.Bytes(j * 1000 + i)), Wait)));
        for (var j = 0; j < jobs; j++)
        {
            var sum = Assert.Single(sums[j]);
            Assert.False(sum.IsError, sum.ToString());
            Assert.Equal(inputs * (j * 1000L) + inputs * (inputs + 1L) / 2, Int64s.Of(sum.Payload));
        }

        // The faults did happen, on every system, and the sessions recovered from them.
        Assert.All(lanes, l => Assert.True(l.Fuzzing!.Faults > 0));
        Assert.True(lanes.Sum(l => l.Counters.Resent) > 0, "nothing was sent again");
        Assert.True(lanes.Sum(l => l.Inbox!.Duplicates) > 0, "no duplicate reached a receiver");
    }

    [Fact]
    public async Task A_reduce_flush_dropped_on_every_send_for_a_while_arrives_once_its_session_sends_it_again()
    {
        await using var cluster = await PalmTestCluster.StartAsync(ConfigurationFactory.ParseString("palm.lane.resend-interval = 150ms"));
        await cluster.StartServerAsync<SumServer>("sum", ServerRole.Leader);
        await cluster.StartServerAsync<SumServer>("sum", ServerRole.Worker);
        var client = await cluster.ConnectClientAsync();
        await AwaitAssertAsync(async () => Assert.Equal(1, (await client.GetStatusAsync()).Servers.Single(s => s.Role == "leader").Workers), Wait);
        var lanes = DataLanes.Get(client.System);

        // The source ends only when the test says so: the flush leaves then, once every input is folded.
        const int count = 100;
        var end = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async IAsyncEnumerable<byte[]> Source()
        {
            for (var i = 1; i <= count; i++) yield return Int64s.Bytes(i);
            await end.Task;
        }
        var job = client.RunAll(["sum.add"], Source(), Wait);
        await AwaitAssertAsync(async () => Assert.Equal(count, (await client.GetStatusAsync()).Servers.Single(s => s.Role == "leader").MessagesIn), Wait);

        // Every input is confirmed: from now on the flush is the only envelope the client's sessions hold.
        await AwaitAssertAsync(() => Assert.All(lanes.Peers, p => Assert.Equal(0, p.Unconfirmed)), Wait);
        // Everything the client sends is dropped (and the confirmations it gets): each time its session sends the flush
        // again, it counts as resent, and is dropped.
        var resent = Interlocked.Read(ref lanes.Counters.Resent);
        lanes.Fuzzing = new LaneFuzzing(new LaneFuzzingSettings(Drop: 1, 0, 0, 0, TimeSpan.Zero, 1));
        end.SetResult();
        await AwaitAssertAsync(() =>
        {
            Assert.Equal(1, lanes.Peers.Sum(p => p.Unconfirmed));
            Assert.True(Interlocked.Read(ref lanes.Counters.Resent) >= resent + 2, "the flush was not sent again");
        }, Wait);
        Assert.False(job.IsCompleted, "the job ended although its flush was dropped");
        lanes.Fuzzing = null;

        var sum = Assert.Single(await job);
        Assert.False(sum.IsError, sum.ToString());
        Assert.Equal(count * (count + 1L) / 2, Int64s.Of(sum.Payload));
    }
}
