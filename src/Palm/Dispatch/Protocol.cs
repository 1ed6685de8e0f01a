namespace Palm.Dispatch;

/// <summary>
/// An actor that runs a <see cref="StepRunner{T}"/> tells itself this when concurrent calls have finished (or
/// messages wait to be started outside a <c>RunTask</c>): it calls <see cref="StepRunner{T}.Resume"/>. Local only.
/// </summary>
internal sealed class ResumeSteps
{
    public static readonly ResumeSteps Instance = new();
}

/// <summary>
/// An actor that owns a <see cref="Forwarder"/> is told this by it while outputs wait for a server its
/// node's directory does not list yet: it calls <see cref="Forwarder.RetryHeld"/>. Local only.
/// </summary>
internal sealed class RetryHeldOutputs
{
    public static readonly RetryHeldOutputs Instance = new();
}
