using Akka.Event;

namespace Palm.Hosting.Internal;

/// <summary>
/// Akka's fallback logger (<c>akka.stdout-logger-class</c>), which speaks before <see cref="PalmConsoleLogger"/> starts and
/// after it stops: only Palm's own lines (docs/internals.md#palmstdoutlogger).
/// </summary>
internal sealed class PalmStdoutLogger : MinimalLogger
{
    protected override void Log(object message)
    {
        if (Prints(message)) Console.WriteLine(message.ToString());
    }

    /// <summary>Whether <paramref name="message"/> is written: a log event of Palm's own (<see cref="PalmConsoleLogger.IsPalms"/>).</summary>
    internal static bool Prints(object message) => message is LogEvent e && PalmConsoleLogger.IsPalms(e);
}
