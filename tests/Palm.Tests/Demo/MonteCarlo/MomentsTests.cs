using Palm.Demo.MonteCarlo;
using Xunit;

namespace Palm.Tests.Demo.MonteCarlo;

/// <summary>The statistics of the Monte Carlo demo: Welford's update, Chan's combination, the encoding.</summary>
public sealed class MomentsTests
{
    private static readonly double[] Known = [2, 4, 4, 4, 5, 5, 7, 9];

    [Fact]
    public void Moments_of_known_values_give_their_mean_and_standard_deviation()
    {
        var m = Moments.Of(Known);

        // Mean 5; squared deviations 9+1+1+1+0+0+4+16 = 32; sample variance 32/7 (population variance 4).
        Assert.Equal(8, m.Count);
        Assert.Equal(5.0, m.Mean);
        Assert.Equal(32.0, m.M2);
        Assert.Equal(32.0 / 7, m.Variance, 15);
        Assert.Equal(Math.Sqrt(32.0 / 7), m.StandardDeviation, 15);
        Assert.Equal(Math.Sqrt(32.0 / 7) / Math.Sqrt(8), m.StandardError, 15);
    }

    [Fact]
    public void Moments_combined_from_two_halves_equal_the_moments_of_all_values()
    {
        // [2,4,4,4]: mean 3.5, M2 3; [5,5,7,9]: mean 6.5, M2 11; Chan: 3 + 11 + 3^2 * 4 * 4 / 8 = 32. Exact in doubles.
        var combined = Moments.Combine(Moments.Of(Known[..4]), Moments.Of(Known[4..]));
        Assert.True(combined.BitwiseEquals(Moments.Of(Known)), combined.ToString());

        // Any cut of random values: equal to a few units in the last place.
        var random = new SplitMix64(7);
        var values = Enumerable.Range(0, 1000).Select(_ => random.NextUnit() * 100 - 50).ToArray();
        var all = Moments.Of(values);
        foreach (var cut in new[] { 0, 1, 17, 500, 999, 1000 })
        {
            var parts = Moments.Combine(Moments.Of(values[..cut]), Moments.Of(values[cut..]));
            Assert.Equal(all.Count, parts.Count);
            Assert.Equal(all.Mean, parts.Mean, 1e-12);
            Assert.Equal(1.0, parts.M2 / all.M2, 1e-12);
        }
    }

    [Fact]
    public void Moments_keep_a_small_spread_around_a_large_mean_that_sums_of_squares_would_lose()
    {
        double[] values = [1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16];
        var m = Moments.Of(values);

        // Deviations -6, -3, 3, 6: variance (36+9+9+36)/3 = 30. The naive sum of squares minus n mean^2 cancels
        // 4e18 against 4e18, where a double's unit in the last place is 512: it cannot see a variance of 30.
        Assert.Equal(1e9 + 10, m.Mean);
        Assert.Equal(30.0, m.Variance, 9);
        var naive = (values.Sum(x => x * x) - values.Length * m.Mean * m.Mean) / (values.Length - 1);
        Assert.NotEqual(30.0, naive, 1);
    }

    [Fact]
    public void Moments_of_fewer_than_two_values_have_no_spread_and_empty_moments_change_nothing()
    {
        Assert.Equal(0.0, Moments.Empty.Variance);
        Assert.Equal(0.0, Moments.Empty.StandardError);
        var one = Moments.Empty.Add(3.5);
        Assert.Equal((1L, 3.5, 0.0, 0.0), (one.Count, one.Mean, one.M2, one.Variance));
        Assert.True(Moments.Combine(one, Moments.Empty).BitwiseEquals(one));
        Assert.True(Moments.Combine(Moments.Empty, one).BitwiseEquals(one));
    }

    [Fact]
    public void Moments_survive_their_encoding_bit_for_bit_and_refuse_bytes_that_are_not_moments()
    {
        var m = Moments.Of([0.1, -0.0, 1e-300, 3e300]);
        Assert.True(Moments.Read(m.ToBytes()).BitwiseEquals(m));
        Assert.Throws<FormatException>(() => Moments.Read(new byte[Moments.Size - 1]));
        var negative = new Moments(-1, 0, 0).ToBytes();
        Assert.Throws<FormatException>(() => Moments.Read(negative));
    }
}
