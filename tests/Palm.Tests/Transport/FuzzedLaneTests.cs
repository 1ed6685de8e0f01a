using System.Buffers.Binary;
using Akka.Configuration;
using Palm.TestKit;
using Palm.Tests.Support;
using Palm.Transport;
using Palm.Transport.Internal;
using Xunit;

namespace Palm.Tests.Transport;

/// <summary>
/// A real pipeline across actor systems whose lanes and Akka.Remote sends all drop, duplicate, delay
/// and reorder frames, envelopes and confirmations at random: every result still arrives exactly once.
/// </summary>
[Trait(TestCategories.Category, TestCategories.Cluster)]
public sealed class FuzzedLaneTests
{
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
}
