namespace Palm.Messages.Internal;

/// <summary>
/// The time half of the one batcher (<see cref="EnvelopeBatch{T}"/> is the size half): a sender that has
/// not flushed for <c>maxHold</c> flushes on its next item, so a steady trickle that never fills a batch,
/// and never leaves the mailbox empty, still leaves at least that often. Read on a <see cref="TimeProvider"/>,
/// so tests move the clock instead of waiting.
/// </summary>
internal sealed class HoldLimit(TimeSpan maxHold, TimeProvider clock)
{
    private long _flushedAt = clock.GetTimestamp();

    /// <summary>Whether <c>maxHold</c> has passed since the last <see cref="Flushed"/>.</summary>
    public bool Expired => clock.GetElapsedTime(_flushedAt) >= maxHold;

    /// <summary>Starts a new hold: the owner just sent what it held.</summary>
    public void Flushed() => _flushedAt = clock.GetTimestamp();
}
