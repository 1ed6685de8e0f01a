using System.Collections.Concurrent;
using System.Threading.Channels;
using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch;
using Akka.Event;

namespace Palm.Examples.Internal;

/// <summary>
/// An Akka logger that hands the lines of Palm servers' <c>Log</c> (sources <c>palm.server.NAME</c>) of the actor systems
/// an example watches to the example, which prints them with its own lines; it drops everything else (Akka's own
/// lines, and the stack traces Palm logs for functions that throw: the example shows those as the results they are).
/// Configured by <see cref="Config"/>.
/// </summary>
internal sealed class ServerLogLines : ReceiveActor, IRequiresMessageQueue<ILoggerMessageQueueSemantics>
{
    private static readonly ConcurrentDictionary<ActorSystem, ChannelWriter<string>> Watched = new();

    /// <summary>Every node of the example logs through this logger (at Palm's level, WARNING and above).</summary>
    public static Config Config { get; } = ConfigurationFactory.ParseString($$"""
        akka.loggers = ["{{typeof(ServerLogLines).FullName}}, {{typeof(ServerLogLines).Assembly.GetName().Name}}"]
        """);

    public ServerLogLines()
    {
        Receive<InitializeLogger>(_ => Sender.Tell(new LoggerInitialized()));
        Receive<LogEvent>(e =>
        {
            if (e.LogSource.StartsWith("palm.server.", StringComparison.Ordinal) && Watched.TryGetValue(Context.System, out var lines))
                lines.TryWrite($"log {e.LogLevel().ToString().Replace("Level", "").ToUpperInvariant()} {Source(e)}: {e.Message}");
        });
    }

    // Akka adds the actor system to the logger's name: "palm.server.NAME (akka://palm)".
    private static string Source(LogEvent e) => e.LogSource.Split(' ')[0];

    /// <summary>The server log lines of <paramref name="system"/> from now on, until <see cref="Unwatch"/>.</summary>
    public static ChannelReader<string> Watch(ActorSystem system)
    {
        var channel = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
        Watched[system] = channel.Writer;
        return channel.Reader;
    }

    /// <summary>Stops handing <paramref name="system"/>'s lines on.</summary>
    public static void Unwatch(ActorSystem system) => Watched.TryRemove(system, out _);
}
