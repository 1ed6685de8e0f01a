using Akka.Actor;
using Akka.Event;
using Palm.Cache;
using Palm.Configuration;
using Palm.Discovery;
using Palm.Servers;
using Palm.Transport;

namespace Palm.Dispatch;

/// <summary>Everything an actor playing a server needs: the user's instance and the node's shared services (<paramref name="Settings"/>: the settings every component shares; <paramref name="Server"/>: <c>palm.server</c>; <paramref name="Time"/>: a clock for tests; the system's by default).</summary>
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
    TimeProvider? Time = null)
{
    /// <summary>The clock every decision by time reads (holds, waits, flush-after); tests inject their own.</summary>
    public TimeProvider Clock { get; } = Time ?? TimeProvider.System;

    /// <summary>The answer to <c>GetServerStatus</c>, the same for every actor that plays a server.</summary>
    public ServerStatus Status(ServerRole role, int workers = 0) => Counters.Snapshot(Name, Instance.TemplateName, role, NodeAddress, workers);
}
