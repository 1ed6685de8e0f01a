namespace Palm.Dispatch;

/// <summary>
/// An actor that runs a <see cref="StepRunner{T}"/> tells itself this when concurrent calls have finished (or
/// messages wait to be started outside a <c>RunTask</c>): it calls <see cref="StepRunner{T}.Resume"/>. Local only.
/// </summary>
internal sealed class ResumeSteps
{
    public static readonly ResumeSteps Instance = new();

    private ResumeSteps()
    {
    }
}
