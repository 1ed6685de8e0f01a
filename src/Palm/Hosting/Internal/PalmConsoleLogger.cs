using Akka.Actor;
using Akka.Dispatch;
using Akka.Event;
using Palm.Diagnostics;

namespace Palm.Hosting.Internal;

/// <summary>
/// Akka's standard-out logger, minus the lines that carry no news in Palm: dropped associations of peers that went away,
/// transport refusals beyond one line (<see cref="TransportNoise"/>), bind errors, and all but Palm's own lines once the
/// system shuts down (docs/internals.md#palmconsolelogger).
/// </summary>
internal class PalmConsoleLogger : ReceiveActor, IRequiresMessageQueue<ILoggerMessageQueueSemantics>
{
    public PalmConsoleLogger()
    {
        Receive<InitializeLogger>(_ => Sender.Tell(new LoggerInitialized()));
        Receive<LogEvent>(e =>
        {
            if (IsPeerDisassociation(e) || IsBindFailure(e) || IsNonMemberGone(e, Context.System.Name) || (IsGated(e) && Joining()) || (ShuttingDown() && !IsPalms(e))) return;
            var verdict = TransportNoise.Classify(e);
            if (verdict.Kind is not null) Refusals.Warn(verdict.Kind, verdict.Line!);
            if (!verdict.Print) return;
            Write(verdict.Line is null ? e : new Warning(e.LogSource, e.LogClass, verdict.Line));
        });
    }

    /// <summary>Writes a line that passed Palm's filter: to standard out here; Palm.Hosting's logger writes to Microsoft.Extensions.Logging.</summary>
    protected virtual void Write(LogEvent e) => Console.WriteLine(e.ToString());

    private RateLimitedLog? _refusals;

    /// <summary>
    /// The one-line reports of refused connections (<see cref="TransportNoise"/>): published as Palm's own warnings, so they
    /// come back here to be printed, and reach every other subscriber of the event stream.
    /// </summary>
    private RateLimitedLog Refusals => _refusals ??= new RateLimitedLog(Logging.GetLogger(Context.System, "palm.transport"), RateLimitedLog.StrangerInterval);

    private CoordinatedShutdown? _shutdown;

    private bool ShuttingDown() => (_shutdown ??= CoordinatedShutdown.Get(Context.System)).ShutdownReason is not null;

    /// <summary>
    /// Lines of Palm (sources named <c>palm...</c>; messages starting with "Palm", as the downing actor's do) and of
    /// user-level actors (Palm's node and client actors, and the application's), as opposed to Akka's system actors and transport.
    /// </summary>
    internal static bool IsPalms(LogEvent e) =>
        e.LogSource.StartsWith("palm", StringComparison.Ordinal) || e.LogSource.Contains("/user/", StringComparison.Ordinal)
        || e.Message?.ToString()?.StartsWith("Palm", StringComparison.Ordinal) == true;

    /// <summary>
    /// Akka.Remote's error, with a stack trace, when it cannot bind its port: the start fails with a
    /// <see cref="Palm.Messages.PalmBindException"/> that names the port and its holder, in one line.
    /// </summary>
    internal static bool IsBindFailure(LogEvent e) =>
        (e is Error && Diagnostics.PortInUse.FindBindFailure(e.Cause) is not null)
        // Remoting's terminator says this as a system whose start failed goes down (in 1 start of 8 it reached the console
        // before the logger stopped); any other termination runs the coordinated shutdown, whose lines are left out anyway.
        || (e is Error && e.Message?.ToString()?.StartsWith("Remoting system has been terminated abruptly", StringComparison.Ordinal) == true);

    internal static bool IsPeerDisassociation(LogEvent e) =>
        e.Cause?.GetType().Name == "EndpointDisassociatedException"
        // While a system shuts down, its watchers still unwatch remote actors after remoting stopped:
        // Akka logs each as an error with a stack trace, though nothing was lost.
        || (e is Error && e.Cause?.GetType().Name == "RemoteTransportException"
            && e.Cause.Message.Contains("Remoting is not running", StringComparison.Ordinal))
        || (e is Warning && e.Message?.ToString() is { } text
            && text.StartsWith("Association with remote system", StringComparison.Ordinal)
            && text.Contains("EndpointDisassociatedException", StringComparison.Ordinal));

    private const string Gated = "Tried to associate with unreachable remote address [";

    /// <summary>Akka.Remote's warning that it could not reach an address and now holds messages for it back.</summary>
    internal static bool IsGated(LogEvent e) => e is Warning && e.Message?.ToString()?.StartsWith(Gated, StringComparison.Ordinal) == true;

    /// <summary>
    /// Whether this node is a cluster node that is not yet a member: while it joins, a seed it cannot reach is
    /// reported by <see cref="ClusterJoin"/> (in the start's one line, if no seed lets it join), not by Akka's warning.
    /// </summary>
    private bool Joining()
    {
        if (((ExtendedActorSystem)Context.System).Provider is not Akka.Cluster.ClusterActorRefProvider) return false;
        var cluster = Akka.Cluster.Cluster.Get(Context.System);
        return !cluster.State.Members.Any(m => m.Address.Equals(cluster.SelfAddress));
    }
    private const string Unreachable = "Detected unreachable: [";

    /// <summary>
    /// The warnings a node logs 5-12 s after a client process exits, when its remote watcher finds the client gone: the
    /// address names a system of another name than this one's, so not a member (docs/internals.md#palmconsolelogger).
    /// </summary>
    internal static bool IsNonMemberGone(LogEvent e, string systemName)
    {
        if (e is not Warning || e.Message?.ToString() is not { } text) return false;
        var start = text.StartsWith(Gated, StringComparison.Ordinal) ? Gated.Length
            : text.StartsWith(Unreachable, StringComparison.Ordinal) ? Unreachable.Length : -1;
        var end = start < 0 ? -1 : text.IndexOf(']', start);
        return end > start && Address.TryParse(text[start..end], out var address) && address.System != systemName;
    }
}
