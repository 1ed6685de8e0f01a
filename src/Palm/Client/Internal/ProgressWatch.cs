namespace Palm.Client.Internal;

/// <summary>Where the client is in checking a job that stopped making progress.</summary>
internal enum ProgressPhase
{
    /// <summary>Results arrive (or none are owed).</summary>
    Watching,
    /// <summary>No result for a progress-timeout: the route's servers are asked for their status.</summary>
    Asking,
    /// <summary>Every server answered: one more progress-timeout before the job fails.</summary>
    Confirming,
}

/// <summary>
/// The client actor's record of a job's progress, looked at on every tick (nothing on the path of
/// results); times are milliseconds on the client actor's clock (an injected <see cref="TimeProvider"/>).
/// </summary>
internal sealed class ProgressWatch
{
    /// <summary>
    /// The last time the job's oldest outstanding input made progress, or the cluster owed nothing (the
    /// quiet time counts from there). Watching the oldest input, not any result, keeps one lost input
    /// from going unnoticed while the others stream by (and bounds the client's memory of the
    /// inputs completed after it).
    /// </summary>
    public long Since { get; set; }

    /// <summary>The oldest input and its returned weight, and the job's reduce progress, as of <see cref="Since"/>.</summary>
    public (long Input, UInt128 Returned, long Reduce) Mark { get; set; } = (-1, UInt128.Zero, 0);

    public ProgressPhase Phase { get; set; }

    /// <summary>Tells a status check that answers too late (progress came meanwhile) from the current one.</summary>
    public int Check { get; set; }

    /// <summary>Progress (or nothing owed): whatever check was running is moot.</summary>
    public void Progressed(long now)
    {
        Since = now;
        if (Phase == ProgressPhase.Watching) return;
        Phase = ProgressPhase.Watching;
        Check++;
    }
}
