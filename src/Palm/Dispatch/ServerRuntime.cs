using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using Palm.Cache;
using Palm.Configuration;
using Palm.Discovery;
using Palm.Servers;
using Palm.Transport;

namespace Palm.Dispatch;

/// <summary>Everything an actor playing a server needs: the user's instance and the node's shared services (<paramref name="Settings"/>: the settings every component shares; <paramref name="Server"/>: <c>palm.server</c>; <paramref name="Time"/>: a clock for tests; the system's by default; <paramref name="Identity"/>: the instance's identity, <c>InstanceIdentity</c>, the server's name by default).</summary>
internal sealed record ServerRuntime(
    string Name,
    PalmServer Instance,
    FunctionTable Functions,
    ServerCounters Counters,
    ILoggingAdapter Log,
    IPalmCache Cache,
    PalmSettings Settings,
    ServerSettings Server,
    DirectoryView Directory,
    IActorRef Node,
    string NodeAddress,
    Transport.DataLanes Lanes,
    TimeProvider? Time = null,
    string? Identity = null)
{
    private readonly long _startedAt = Stopwatch.GetTimestamp();

    /// <summary>The identity of this instance that status and <see cref="MessageContext.Instance"/> show.</summary>
    public string InstanceId { get; } = Identity ?? Name;

    /// <summary>The clock every decision by time reads (holds, waits, flush-after); tests inject their own.</summary>
    public TimeProvider Clock { get; } = Time ?? TimeProvider.System;

    /// <summary>
    /// The answer to <c>GetServerStatus</c>, the same for every actor that plays a server: its counters, with the in-flight and
    /// worker gauges the actor keeps in them for metrics too (one source for both).
    /// </summary>
    public ServerReport Status() =>
        new(Counters.MessagesIn, Counters.MessagesOut, Counters.Errors, Counters.UserTime, Counters.Workers, Counters.InFlight, Stopwatch.GetElapsedTime(_startedAt), InstanceId);
}
