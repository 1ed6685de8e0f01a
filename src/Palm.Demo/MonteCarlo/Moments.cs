using System.Buffers.Binary;

namespace Palm.Demo.MonteCarlo;

/// <summary>
/// The count, mean and sum of squared deviations (M2) of a set of values, the numerically stable way: values are added
/// with Welford's update and two sets are combined with Chan et al.'s formula, so nothing ever subtracts two large sums
/// of squares (which loses every digit when the spread is small beside the mean, as with rates near 3%).
/// </summary>
/// <param name="Count">How many values.</param>
/// <param name="Mean">Their mean (0 for none).</param>
/// <param name="M2">The sum of their squared deviations from <paramref name="Mean"/>.</param>
public readonly record struct Moments(long Count, double Mean, double M2)
{
    /// <summary>The size of <see cref="Write"/>'s encoding: count, mean and M2, 8 bytes each, little-endian.</summary>
    public const int Size = 24;

    /// <summary>No values.</summary>
    public static Moments Empty => default;

    /// <summary>The sample variance, M2 / (n - 1); 0 for fewer than two values.</summary>
    public double Variance => Count < 2 ? 0 : M2 / (Count - 1);

    /// <summary>The sample standard deviation.</summary>
    public double StandardDeviation => Math.Sqrt(Variance);

    /// <summary>The standard error of the mean, the standard deviation over the square root of the count.</summary>
    public double StandardError => Count == 0 ? 0 : StandardDeviation / Math.Sqrt(Count);

    /// <summary>These moments with <paramref name="value"/> added (Welford).</summary>
    public Moments Add(double value)
    {
        var count = Count + 1;
        var delta = value - Mean;
        var mean = Mean + delta / count;
        return new Moments(count, mean, M2 + delta * (value - mean));
    }

    /// <summary>
    /// The moments of both sets together (Chan, Golub and LeVeque). Floating-point addition is not associative, so the
    /// result depends on the order of combination: combine in a fixed order to get the same bits every time.
    /// </summary>
    public static Moments Combine(Moments a, Moments b)
    {
        if (a.Count == 0) return b;
        if (b.Count == 0) return a;
        var count = a.Count + b.Count;
        var delta = b.Mean - a.Mean;
        var mean = a.Mean + delta * b.Count / count;
        return new Moments(count, mean, a.M2 + b.M2 + delta * delta * ((double)a.Count * b.Count / count));
    }

    /// <summary>Combines <paramref name="parts"/> from first to last.</summary>
    public static Moments CombineInOrder(IEnumerable<Moments> parts) => parts.Aggregate(Empty, Combine);

    /// <summary>The moments of <paramref name="values"/>, added in order.</summary>
    public static Moments Of(IEnumerable<double> values) => values.Aggregate(Empty, (m, x) => m.Add(x));

    /// <summary>Whether both hold exactly the same bits (unlike ==, tells 0.0 from -0.0 and matches NaN with itself).</summary>
    public bool BitwiseEquals(Moments other) =>
        Count == other.Count
        && BitConverter.DoubleToInt64Bits(Mean) == BitConverter.DoubleToInt64Bits(other.Mean)
        && BitConverter.DoubleToInt64Bits(M2) == BitConverter.DoubleToInt64Bits(other.M2);

    /// <summary>Writes the moments into the first <see cref="Size"/> bytes of <paramref name="destination"/>.</summary>
    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteInt64LittleEndian(destination, Count);
        BinaryPrimitives.WriteDoubleLittleEndian(destination[8..], Mean);
        BinaryPrimitives.WriteDoubleLittleEndian(destination[16..], M2);
    }

    /// <summary>The moments as <see cref="Size"/> bytes.</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[Size];
        Write(bytes);
        return bytes;
    }

    /// <summary>Reads moments written by <see cref="Write"/>.</summary>
    /// <exception cref="FormatException">Fewer than <see cref="Size"/> bytes, or a negative count.</exception>
    public static Moments Read(ReadOnlySpan<byte> source)
    {
        if (source.Length < Size) throw new FormatException($"Moments take {Size} bytes, not {source.Length}.");
        var count = BinaryPrimitives.ReadInt64LittleEndian(source);
        if (count < 0) throw new FormatException($"A count of {count} values.");
        return new Moments(count, BinaryPrimitives.ReadDoubleLittleEndian(source[8..]), BinaryPrimitives.ReadDoubleLittleEndian(source[16..]));
    }
}
