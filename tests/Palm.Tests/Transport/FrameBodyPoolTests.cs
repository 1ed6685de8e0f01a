using Palm.Transport.Internal;
using Xunit;

namespace Palm.Tests.Transport;

/// <summary>The pool outbound frame bodies live in: sizes, reuse and its bound.</summary>
public sealed class FrameBodyPoolTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(1024)]
    [InlineData(1025)]
    [InlineData(2048)]
    [InlineData(2049)]
    [InlineData(65_536 + 100)]
    [InlineData(1_000_000)]
    [InlineData(8 * 1024 * 1024)]
    public void A_rented_body_is_large_enough_and_wastes_at_most_a_quarter_beyond_a_kibibyte(int length)
    {
        var pool = new FrameBodyPool(8 * 1024 * 1024);
        var body = pool.Rent(length);
        Assert.True(body.Length >= length, $"{body.Length} < {length}");
        Assert.True(body.Length <= Math.Max(1024, length * 1.25), $"{body.Length} for {length}");
    }

    [Fact]
    public void Size_classes_grow_in_order_and_each_length_takes_the_smallest_that_fits()
    {
        for (var index = 1; index < 60; index++)
        {
            Assert.True(FrameBodyPool.SizeOf(index) > FrameBodyPool.SizeOf(index - 1));
            Assert.Equal(index, FrameBodyPool.ClassOf(FrameBodyPool.SizeOf(index)));
            Assert.Equal(index, FrameBodyPool.ClassOf(FrameBodyPool.SizeOf(index - 1) + 1));
        }
    }

    [Fact]
    public void A_returned_body_serves_the_next_rent_of_its_size_class()
    {
        var pool = new FrameBodyPool(1024 * 1024);
        var body = pool.Rent(70_000);
        pool.Return(body);
        Assert.Equal(body.Length, pool.RetainedBytes);
        Assert.Same(body, pool.Rent(66_000));
        Assert.Equal(0, pool.RetainedBytes);
        Assert.NotSame(body, pool.Rent(100_000));
    }

    [Fact]
    public void The_pool_keeps_no_more_than_its_limit_and_no_array_it_did_not_size()
    {
        var pool = new FrameBodyPool(8 * 1024 * 1024);
        var bodies = Enumerable.Range(0, 20).Select(_ => pool.Rent(8 * 1024 * 1024)).ToList();
        foreach (var body in bodies) pool.Return(body);
        Assert.True(pool.RetainedBytes <= FrameBodyPool.RetainedBytesLimit, $"{pool.RetainedBytes}");
        Assert.True(pool.RetainedBytes > FrameBodyPool.RetainedBytesLimit / 2, $"{pool.RetainedBytes}");

        var other = new FrameBodyPool(1024 * 1024);
        other.Return(new byte[1000]);
        other.Return(pool.Rent(4 * 1024 * 1024));
        Assert.Equal(0, other.RetainedBytes);
    }
}
