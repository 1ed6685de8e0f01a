using Palm.Messages;

namespace Palm.Hosting.Internal;

/// <summary>The one place a failure to start or connect becomes a line on standard error and an exit code (<see cref="PalmExitCodes"/>).</summary>
internal static class StartFailure
{
    /// <summary>
    /// Writes one line naming <paramref name="e"/> to <paramref name="error"/> and returns its exit code. An exception
    /// that is none of Palm's (a bug in the program's own code) gets its stack trace on the following lines: it is
    /// not a mistake the line can name.
    /// </summary>
    public static int Report(Exception e, TextWriter error)
    {
        var code = PalmExitCodes.Of(e);
        var palms = code != PalmExitCodes.Failure || e is PalmJobFailedException or PalmFunctionException;
        var text = palms ? e.Message : $"{e.GetType().Name}: {e.Message}";
        error.WriteLine($"palm: {text.ReplaceLineEndings(" ")}");
        if (!palms && e.StackTrace is { } trace) error.WriteLine(trace);
        return code;
    }
}
