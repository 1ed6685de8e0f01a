namespace Palm.Messages;

/// <summary>
/// The one payload-size check (<c>palm.max-payload-bytes</c>), with one wording, for inputs, outputs, parts and the
/// outputs a worker sends its leader: past it, the transport would drop the envelope.
/// </summary>
internal static class PayloadLimit
{
    /// <summary>Whether <paramref name="bytes"/> fit in <paramref name="max"/>.</summary>
    public static bool Fits(long bytes, int max) => bytes <= max;

    /// <summary>
    /// Null when <paramref name="bytes"/> fit in <paramref name="max"/>; otherwise the error of <see cref="TooLarge"/>.
    /// </summary>
    public static PalmError? Check(long bytes, int max, string what, string server, string function, int stage) =>
        Fits(bytes, max) ? null : TooLarge(bytes, max, what, server, function, stage);

    /// <summary>The <see cref="PalmErrorKind.PayloadTooLarge"/> error: <paramref name="what"/> (e.g. "Input 3", "The output") was too large.</summary>
    public static PalmError TooLarge(long bytes, int max, string what, string server, string function, int stage) =>
        new(PalmErrorKind.PayloadTooLarge, server, function, stage, null, $"{what} has {bytes} bytes; palm.max-payload-bytes allows {max}.");
}
