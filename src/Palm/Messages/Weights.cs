namespace Palm.Messages;

/// <summary>
/// The completion invariant, written once: every input starts with <see cref="Whole"/>, and k outputs of a message
/// share its weight w, the first carrying the remainder, so the shares sum to w exactly and no weight is lost or
/// made (see docs/design.md, "Completion: weight throwing").
/// </summary>
internal static class Weights
{
    /// <summary>The completion credit of one input.</summary>
    public static readonly UInt128 Whole = UInt128.MaxValue;

    /// <summary>
    /// Splits <paramref name="weight"/> over <paramref name="count"/> outputs (at least 1); false when it cannot give each a
    /// share above zero (then the message fails with <see cref="TooManyOutputs"/>).
    /// </summary>
    public static bool TrySplit(UInt128 weight, int count, out WeightSplit split)
    {
        if (count <= 1)
        {
            split = new WeightSplit(weight, weight);
            return true;
        }
        var share = weight / (UInt128)count;
        split = new WeightSplit(weight - share * (UInt128)(count - 1), share);
        return share != UInt128.Zero;
    }

    /// <summary>The error of a message whose weight <see cref="TrySplit"/> cannot split over <paramref name="count"/> outputs.</summary>
    public static PalmError TooManyOutputs(string server, string function, int stage, int count) =>
        new(PalmErrorKind.FanOutTooLarge, server, function, stage, null,
            $"The step emitted {count} messages, more than the completion credit left for this input can be split into.");
}

/// <summary>The shares of a weight split: output 0 gets <see cref="First"/> (the remainder included), every other <see cref="Share"/>.</summary>
internal readonly record struct WeightSplit(UInt128 First, UInt128 Share)
{
    public UInt128 this[int output] => output == 0 ? First : Share;
}
