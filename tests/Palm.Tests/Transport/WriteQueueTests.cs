using Palm.Transport.Internal;
using Xunit;

namespace Palm.Tests.Transport;

/// <summary>The queue between a lane's senders and its writer thread.</summary>
public sealed class WriteQueueTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public void Items_come_out_in_the_order_they_went_in()
    {
        var queue = new WriteQueue<string>();
        queue.Add("a");
        queue.Add("b");
        queue.Add("c");
        Assert.True(queue.Take(out var first));
        Assert.True(queue.TryTake(out var second));
        Assert.True(queue.Take(out var third));
        Assert.False(queue.TryTake(out _));
        Assert.Equal(["a", "b", "c"], [first, second, third]);
    }

    [Fact]
    public async Task A_sleeping_writer_wakes_for_each_item_added_from_other_threads()
    {
        var queue = new WriteQueue<string>();
        const int count = 20_000;
        var writer = Task.Factory.StartNew(() =>
        {
            var taken = new List<string>();
            while (queue.Take(out var item)) taken.Add(item);
            return taken;
        }, TaskCreationOptions.LongRunning);

        // Two producers, each in order; some adds find the writer asleep, some awake.
        var producers = Enumerable.Range(0, 2).Select(p => Task.Run(async () =>
        {
            for (var i = 0; i < count; i++)
            {
                queue.Add($"{p}:{i}");
                if (i % 1000 == 0) await Task.Yield();
            }
        })).ToArray();
        await Task.WhenAll(producers).WaitAsync(Bound);
        queue.Complete();

        var all = await writer.WaitAsync(Bound);
        Assert.Equal(2 * count, all.Count);
        for (var p = 0; p < 2; p++)
            Assert.Equal(Enumerable.Range(0, count).Select(i => $"{p}:{i}"), all.Where(s => s.StartsWith($"{p}:", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Complete_wakes_a_writer_that_sleeps_on_an_empty_queue()
    {
        var queue = new WriteQueue<string>();
        var writer = Task.Factory.StartNew(() => queue.Take(out _), TaskCreationOptions.LongRunning);
        queue.Complete();
        Assert.False(await writer.WaitAsync(Bound));
    }

    [Fact]
    public void What_was_queued_before_Complete_is_still_taken()
    {
        var queue = new WriteQueue<string>();
        queue.Add("last");
        queue.Complete();
        Assert.True(queue.Take(out var item));
        Assert.Equal("last", item);
        Assert.False(queue.Take(out _));
    }
}
