using Akka.Event;
using Microsoft.Extensions.Logging;
using Akka.Hosting.Logging;
using MelLogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace Palm.Hosting.Internal;

/// <summary>
/// Akka's logger for nodes of a generic host: Palm's console filter (peer departures, bind failures, refused
/// connections in one rate-limited line, shutdown noise), writing what passes to Microsoft.Extensions.Logging.
/// Palm's lines keep their source as category (<c>palm.server.NAME</c>, <c>palm.lane</c>, <c>palm.node</c>), so
/// levels can be set per category; Akka's own lines are under <c>Akka.</c> and the class that logged them.
/// </summary>
internal sealed class MicrosoftLogger : PalmConsoleLogger
{
    private ILoggerFactory? _factory;

    protected override void Write(LogEvent e)
    {
        // Akka.Hosting hands every actor system it creates the host's logger factory as a setup.
        var factory = _factory ??= Context.System.Settings.Setup.Get<LoggerFactorySetup>() is { HasValue: true } setup ? setup.Value.LoggerFactory : null;
        if (factory is null)
        {
            base.Write(e);
            return;
        }
        var category = CategoryOf(e);
        var level = e.LogLevel() switch
        {
            Akka.Event.LogLevel.DebugLevel => MelLogLevel.Debug,
            Akka.Event.LogLevel.InfoLevel => MelLogLevel.Information,
            Akka.Event.LogLevel.WarningLevel => MelLogLevel.Warning,
            _ => MelLogLevel.Error,
        };
        var logger = factory.CreateLogger(category);
        if (logger.IsEnabled(level)) logger.Log(level, default, e.Message?.ToString() ?? "", e.Cause, static (text, _) => text);
    }

    /// <summary>
    /// Palm's sources by name (<c>palm.server.farm</c>; Akka writes string sources as <c>name (akka://system)</c>), user actors as
    /// <c>palm.user</c>, anything else as <c>Akka.</c> plus the logging class's name, or its source's name when it has no class.
    /// </summary>
    internal static string CategoryOf(LogEvent e)
    {
        var source = e.LogSource;
        var cut = source.IndexOf('(');
        var name = (cut > 0 ? source[..cut] : source).Trim();
        if (name.StartsWith("palm", StringComparison.Ordinal)) return name;
        if (source.Contains("/user/", StringComparison.Ordinal)) return "palm.user";
        return e.LogClass is null || e.LogClass.Name == "DummyClassForStringSources" ? "Akka." + name : "Akka." + e.LogClass.Name;
    }
}
