using Akka.Configuration;
using Palm.Messages;

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

    /// <summary>
    /// The code for a failure: <see cref="PortUnavailable"/> for a <see cref="PalmBindException"/>, <see cref="Unreachable"/>
    /// for a <see cref="PalmConnectException"/> or <see cref="TimeoutException"/>, <see cref="Configuration"/> for an
    /// <see cref="ArgumentException"/>, <see cref="ConfigurationException"/>, <see cref="PalmConfigurationException"/> or
    /// <see cref="FileNotFoundException"/>, <see cref="Cancelled"/> for an <see cref="OperationCanceledException"/>, and
    /// <see cref="Failure"/> for anything else. Programs with commands of their own map their failures with it too.
    /// </summary>
    public static int Of(Exception failure) => failure switch
    {
        PalmBindException => PortUnavailable,
        PalmConnectException or TimeoutException => Unreachable,
        ArgumentException or ConfigurationException or PalmConfigurationException or FileNotFoundException => Configuration,
        OperationCanceledException => Cancelled,
        _ => Failure,
    };

    /// <summary>
    /// Writes the one line that names <paramref name="failure"/> (<c>palm: ...</c>) to <paramref name="error"/> and returns its
    /// code (<see cref="Of"/>), as <see cref="PalmHost"/> and <c>PalmClient.RunAsync</c> do; a failure that is none of Palm's
    /// (a bug in the program's own code) also gets its stack trace. For programs with commands of their own (the <c>palm</c> tool).
    /// </summary>
    public static int Report(Exception failure, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(failure);
        ArgumentNullException.ThrowIfNull(error);
        var code = Of(failure);
        var palms = code != Failure || failure is PalmJobFailedException or PalmFunctionException;
        var text = palms ? failure.Message : $"{failure.GetType().Name}: {failure.Message}";
        error.WriteLine($"palm: {text.ReplaceLineEndings(" ")}");
        if (!palms && failure.StackTrace is { } trace) error.WriteLine(trace);
        return code;
    }

    /// <summary>Sets <paramref name="code"/> as the process's <see cref="Environment.ExitCode"/> and returns it.</summary>
    internal static int Exit(int code) => Environment.ExitCode = code;
}
