using Palm.Messages;

namespace Palm.Client;

/// <summary>One result of a job: a payload the last step produced, or an error, for one input.</summary>
public sealed class JobResult
{
    internal JobResult(long inputIndex, ReadOnlyMemory<byte> payload, PalmError? error, string? branch = null) =>
        (InputIndex, Payload, Error, Branch) = (inputIndex, payload, error, branch);

    /// <summary>
    /// For a job on a <see cref="JobRoute"/>: the branch this result left from; null for the steps every branch shares (trunk,
    /// join) and for a plain route.
    /// </summary>
    public string? Branch { get; }

    /// <summary>Index of the input (0-based, in submission order) this result derives from.</summary>
    public long InputIndex { get; }

    /// <summary>The payload; empty for an error.</summary>
    public ReadOnlyMemory<byte> Payload { get; }

    /// <summary>The error, or null for a payload.</summary>
    public PalmError? Error { get; }

    /// <summary>Whether this is an error result.</summary>
    public bool IsError => Error is not null;

    /// <summary>A copy of the payload as an array.</summary>
    public byte[] ToArray() => Payload.ToArray();

    /// <inheritdoc />
    public override string ToString() =>
        (Branch is null ? "" : $"[{Branch}] ") + (IsError ? $"#{InputIndex} error: {Error}" : $"#{InputIndex} {Payload.Length} bytes");
}

/// <summary>Options of one job.</summary>
public sealed record JobOptions
{
    /// <summary>A session tag every message of the job carries (<c>MessageContext.Session</c>).</summary>
    public string? Session { get; init; }

    /// <summary>A cache key every message of the job carries (<c>MessageContext.CacheKey</c>).</summary>
    public string? CacheKey { get; init; }

    /// <summary>Inputs in flight at once (not yet fully processed and consumed); defaults to <see cref="ClientSettings.Window"/> (<c>palm.client.window</c>).</summary>
    public int? Window { get; init; }

    /// <summary>
    /// How long the job may wait for a result while the cluster owes it some before the client checks the
    /// route's servers, and fails the job naming a server that does not answer or, after as long again,
    /// the inputs that were lost; defaults to <see cref="ClientSettings.ProgressTimeout"/> (<c>palm.client.progress-timeout</c>). Set it above the
    /// longest call of a function on the route.
    /// </summary>
    public TimeSpan? ProgressTimeout { get; init; }

    /// <summary>
    /// Check the route against the directory before sending (default true). Turned off, a bad step is
    /// reported by the server that meets it, as an error result.
    /// </summary>
    public bool ValidateRoute { get; init; } = true;

    /// <summary>
    /// Receives the job's <see cref="JobProgress"/> (inputs issued and completed, results, errors, rate, total when
    /// known) at most once per <see cref="ProgressInterval"/> while results come, and once at the end. Called on the
    /// thread that enumerates the job, between results: keep it short, or hand the report on (a
    /// <see cref="Progress{T}"/> posts it to the synchronization context it was created on). Null (the default):
    /// the job counts nothing for it.
    /// </summary>
    public IProgress<JobProgress>? Progress { get; init; }

    /// <summary>The shortest time between two reports to <see cref="Progress"/> (default 100 ms; the final report is always made).</summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromMilliseconds(100);
}
