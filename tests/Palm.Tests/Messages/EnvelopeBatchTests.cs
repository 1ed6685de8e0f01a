using Palm.Messages.Internal;
using Xunit;

namespace Palm.Tests.Messages;

public sealed class EnvelopeBatchTests
{
    // Each envelope as "items:bytes", so that whole sequences compare by value.
    private readonly List<string> _sent = [];

    private EnvelopeBatch<int> Create(int maxMessages, long maxBytes) =>
        new(maxMessages, maxBytes, (items, bytes) => _sent.Add($"{string.Join(",", items)}:{bytes}"));

    [Fact]
    public void A_batch_leaves_as_soon_as_it_holds_max_messages()
    {
        var batch = Create(maxMessages: 3, maxBytes: 1000);
        Assert.False(batch.Add(1, 10));
        Assert.False(batch.Add(2, 10));
        Assert.Empty(_sent);
        Assert.True(batch.Add(3, 10));
        Assert.False(batch.Add(4, 10));

        Assert.Equal(["1,2,3:30"], _sent);
        Assert.Equal(1, batch.Count);
        Assert.Equal(10, batch.Bytes);
    }

    [Fact]
    public void A_batch_leaves_as_soon_as_its_bytes_reach_max_bytes()
    {
        var batch = Create(maxMessages: 100, maxBytes: 100);
        Assert.False(batch.Add(1, 60));
        Assert.True(batch.Add(2, 40));

        Assert.Equal(["1,2:100"], _sent);
        Assert.Equal(0, batch.Count);
        Assert.Equal(0, batch.Bytes);
    }

    [Fact]
    public void An_item_that_would_take_a_batch_past_max_bytes_starts_the_next_one()
    {
        var batch = Create(maxMessages: 100, maxBytes: 100);
        batch.Add(1, 60);
        // 60 + 50 > 100: the 60 leave alone and the 50 wait for company.
        Assert.False(batch.Add(2, 50));

        Assert.Equal(["1:60"], _sent);
        Assert.Equal(1, batch.Count);
        Assert.Equal(50, batch.Bytes);
    }

    [Fact]
    public void An_item_larger_than_max_bytes_leaves_alone_and_at_once()
    {
        var batch = Create(maxMessages: 100, maxBytes: 100);
        batch.Add(1, 10);
        Assert.True(batch.Add(2, 500));

        Assert.Equal(["1:10", "2:500"], _sent);
        Assert.Equal(0, batch.Count);
    }

    [Fact]
    public void Flush_sends_a_lone_item_at_once_and_nothing_when_empty()
    {
        var batch = Create(maxMessages: 500, maxBytes: 64 * 1024);
        Assert.False(batch.Flush());
        batch.Add(7, 3);
        Assert.True(batch.Flush());
        Assert.False(batch.Flush());

        Assert.Equal(["7:3"], _sent);
    }

    [Fact]
    public void Zero_byte_items_are_bounded_by_the_count_alone()
    {
        var batch = Create(maxMessages: 2, maxBytes: 1);
        batch.Add(1, 0);
        batch.Add(2, 0);
        batch.Add(3, 0);

        Assert.Equal(["1,2:0"], _sent);
        Assert.Equal(1, batch.Count);
    }

    [Fact]
    public void Each_envelope_gets_a_list_of_its_own()
    {
        var lists = new List<List<int>>();
        var batch = new EnvelopeBatch<int>(2, 1000, (items, _) => lists.Add(items));
        for (var i = 0; i < 6; i++) batch.Add(i, 1);

        Assert.Equal(3, lists.Distinct().Count());
        Assert.Equal(["0,1", "2,3", "4,5"], lists.Select(l => string.Join(",", l)));
    }
}
