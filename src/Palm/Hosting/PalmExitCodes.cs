namespace Palm.Hosting;

/// <summary>
/// The exit codes of a process run through <see cref="PalmHost"/> (and <c>PalmClient.RunAsync</c>): a failure to start
/// or connect is one line on standard error and one of these codes, never an unhandled exception (docs/reliability.md#mistakes).
/// </summary>
public static class PalmExitCodes
{
    /// <summary>The node stopped cleanly (Ctrl+C, SIGTERM, <see cref="PalmHost.StopNodeAsync"/>), or the client's work completed.</summary>
    public const int Ok = 0;

    /// <summary>Something unexpected failed; the line names the exception.</summary>
    public const int Failure = 1;

    /// <summary>A usage or configuration mistake: an unknown flag or key, malformed HOCON, a bad value, settings that contradict, a missing certificate.</summary>
    public const int Configuration = 2;

    /// <summary>A port the node or client must listen on is taken, or its address is not this machine's.</summary>
    public const int PortUnavailable = 3;

    /// <summary>The node could not join its cluster, or the client could not reach its contact node.</summary>
    public const int Unreachable = 4;

    /// <summary>The start was cancelled (Ctrl+C before the node was up).</summary>
    public const int Cancelled = 130;
}
