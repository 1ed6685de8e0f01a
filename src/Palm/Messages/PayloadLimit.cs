namespace Palm.Messages;

/// <summary>
/// The one payload-size check (<c>palm.max-payload-bytes</c>), with one wording, for inputs, outputs, parts and the
/// outputs a worker sends its leader: past it, the transport would drop the envelope.
/// </summary>
internal static class PayloadLimit
{
    /// <summary>
    /// Null when <paramref name="bytes"/> fit in <paramref name="max"/>; otherwise the <see cref="PalmErrorKind.PayloadTooLarge"/>
    /// error, which says what (<paramref name="what"/>, e.g. "Input 3", "The output") was too large.
    /// </summary>
    public static PalmError? Check(long bytes, int max, string what, string server, string function, int stage) =>
        bytes <= max ? null : new PalmError(PalmErrorKind.PayloadTooLarge, server, function, stage, null,
            $"{what} has {bytes} bytes; palm.max-payload-bytes allows {max}.");
}
