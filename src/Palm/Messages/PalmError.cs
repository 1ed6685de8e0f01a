namespace Palm.Messages;

/// <summary>Why a message could not be processed.</summary>
public enum PalmErrorKind
{
    /// <summary>The user's function threw an exception.</summary>
    FunctionFailed,
    /// <summary>The route names a server that no node of the cluster hosts (or no longer hosts).</summary>
    UnknownServer,
    /// <summary>The route names a function the server does not expose.</summary>
    UnknownFunction,
    /// <summary>The route or a step is malformed.</summary>
    BadRoute,
    /// <summary>An input payload was null.</summary>
    NullPayload,
    /// <summary>A payload is larger than <c>palm.max-payload-bytes</c> and would be dropped by the transport.</summary>
    PayloadTooLarge,
    /// <summary>A function emitted more messages than the job's completion tracking can split its weight into.</summary>
    FanOutTooLarge,
    /// <summary>A message reached a server that is not the one its current step names.</summary>
    Misrouted,
}

/// <summary>
/// An error result: which server and function failed on which step, and why. Errors are values that
/// travel to the client like results; a failing message never stops a server or a job.
/// </summary>
/// <param name="Kind">The category of the failure.</param>
/// <param name="Server">The server that reports the error (or the one that is missing).</param>
/// <param name="Function">The function being called, when known.</param>
/// <param name="Stage">Index in the route of the step that failed (-1 before the first step).</param>
/// <param name="ExceptionType">Full type name of the user's exception, for <see cref="PalmErrorKind.FunctionFailed"/>.</param>
/// <param name="Message">A human-readable explanation.</param>
public sealed record PalmError(
    PalmErrorKind Kind, string Server, string Function, int Stage, string? ExceptionType, string Message)
{
    /// <inheritdoc />
    public override string ToString() => ExceptionType is null
        ? $"{Kind} at step {Stage} ({Server}.{Function}): {Message}"
        : $"{Kind} at step {Stage} ({Server}.{Function}): {ExceptionType}: {Message}";
}
