namespace Palm.Client.Internal;

/// <summary>What a client ignored, for tests and diagnostics; written by the client actor, read by anyone.</summary>
internal sealed class ClientCounters
{
    private long _duplicates;
    private long _untrusted;

    /// <summary>Result items ignored because their input was already complete (or got more weight than it had left).</summary>
    public long Duplicates => Interlocked.Read(ref _duplicates);

    /// <summary>Result batches dropped because their sender is not a node of the cluster the client knows.</summary>
    public long Untrusted => Interlocked.Read(ref _untrusted);

    public void AddDuplicates(long n) => Interlocked.Add(ref _duplicates, n);

    public void AddUntrusted() => Interlocked.Increment(ref _untrusted);
}
