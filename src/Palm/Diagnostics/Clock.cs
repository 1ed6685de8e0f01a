namespace Palm.Diagnostics;

/// <summary>Milliseconds on an injected <see cref="TimeProvider"/>, for code that keeps deadlines as numbers.</summary>
internal static class Clock
{
    /// <summary>The clock's timestamp in milliseconds.</summary>
    public static long NowMs(this TimeProvider clock) => clock.GetTimestamp() / Math.Max(1, clock.TimestampFrequency / 1000);
}
