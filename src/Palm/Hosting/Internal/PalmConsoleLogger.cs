using Akka.Actor;
using Akka.Dispatch;
using Akka.Event;
using Palm.Diagnostics;

namespace Palm.Hosting.Internal;

/// <summary>
/// Akka's standard-out logger, minus two kinds of message. Whenever a peer actor system goes away (a client
/// disconnects, a node leaves), Akka.Remote logs a warning and an error with a stack trace about the
/// dropped association, even when the peer shut down cleanly. Clients come and go all the time in
/// Palm, and a node that really disappears is reported by the cluster (unreachable, removed) and by
/// Palm (jobs failing with the server's name), so those two lines carry no news and are left out; so
/// are the errors a shutting-down system logs for watch messages it can no longer send. Once this system's
/// coordinated shutdown has begun, only Palm's own lines are written: when a whole cluster stops at once,
/// Akka.Remote and DotNetty report every association torn down under them, with stack traces. A connection the
/// transport refuses (TLS on one side only, an untrusted certificate, bytes that are not Akka's) is one line at a
/// bounded rate instead of DotNetty's several with stack traces (<see cref="TransportNoise"/>). Nor are the errors
/// Akka.Remote logs when it cannot bind its port: the start fails with one line that names the port and its holder.
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
    /// The warnings a node logs 5-12 s after a client process exits: its remote watcher's heartbeats (sessions
    /// watch the systems they send to) find the client gone. The address names a system of another name than
    /// this one's, so it is not a member (every member of a cluster shares one system name): a client, or a
    /// stranger. Sessions drop what they held for it with Palm's own line, and a member that goes away is
    /// reported by the cluster, whose lines are not these.
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
