using Palm.Messages;
using Xunit;

namespace Palm.Tests.Messages;

/// <summary>The completion invariant, written once (<see cref="Weights"/>), and the one payload-size check (<see cref="PayloadLimit"/>).</summary>
public sealed class WeightsTests
{
    public static TheoryData<UInt128, int> Splits => new()
    {
        { Weights.Whole, 1 },
        { Weights.Whole, 2 },
        { Weights.Whole, 3 },
        { Weights.Whole, 7 },
        { Weights.Whole, 1_000_000 },
        { 10, 3 },
        { 10, 10 },
        { 12345, 100 },
        { UInt128.MaxValue / 3 + 1, 9 },
    };

    [Theory]
    [MemberData(nameof(Splits))]
    public void The_shares_sum_to_the_weight_and_the_first_carries_the_remainder(UInt128 weight, int count)
    {
        Assert.True(Weights.TrySplit(weight, count, out var split));
        var sum = UInt128.Zero;
        for (var i = 0; i < count; i++)
        {
            Assert.NotEqual(UInt128.Zero, split[i]);
            sum += split[i];
        }
        Assert.Equal(weight, sum);
        Assert.Equal(weight / (UInt128)count, split[count - 1]);
        Assert.Equal(weight / (UInt128)count + weight % (UInt128)count, split[0]);
    }

    [Fact]
    public void Splitting_repeatedly_never_loses_weight()
    {
        // A tree of fan-outs of 3, 5 and 7: the leaves' weight is still the whole.
        var leaves = new List<UInt128> { Weights.Whole };
        foreach (var count in new[] { 3, 5, 7, 2, 11 })
        {
            var next = new List<UInt128>();
            foreach (var w in leaves)
            {
                Assert.True(Weights.TrySplit(w, count, out var split));
                for (var i = 0; i < count; i++) next.Add(split[i]);
            }
            leaves = next;
        }
        var sum = UInt128.Zero;
        foreach (var w in leaves) sum += w;
        Assert.Equal(Weights.Whole, sum);
    }

    [Fact]
    public void A_weight_smaller_than_the_fan_out_cannot_be_split_and_says_so()
    {
        Assert.False(Weights.TrySplit(2, 3, out _));
        Assert.True(Weights.TrySplit(2, 1, out var whole));
        Assert.Equal((UInt128)2, whole[0]);
        var error = Weights.TooManyOutputs("s", "f", 4, 3);
        Assert.Equal((PalmErrorKind.FanOutTooLarge, "s", "f", 4), (error.Kind, error.Server, error.Function, error.Stage));
        Assert.Contains("emitted 3 messages", error.Message);
    }

    [Fact]
    public void The_size_check_has_one_wording()
    {
        Assert.True(PayloadLimit.Fits(10, 10));
        Assert.Null(PayloadLimit.Check(10, 10, "The output", "s", "f", 1));
        var error = PayloadLimit.Check(11, 10, "The output", "s", "f", 1)!;
        Assert.Equal(new PalmError(PalmErrorKind.PayloadTooLarge, "s", "f", 1, null, "The output has 11 bytes; palm.max-payload-bytes allows 10."), error);
        Assert.Equal("Input 3 has 11 bytes; palm.max-payload-bytes allows 10.", PayloadLimit.TooLarge(11, 10, "Input 3", "client", "f", -1).Message);
    }
}
