using Akka.Actor;
using Akka.Event;
using Palm.Cache;
using Palm.Configuration;
using Palm.Discovery;
using Palm.Servers;
using Palm.Transport;

namespace Palm.Dispatch;

/// <summary>Everything an actor playing a server needs: the user's instance and the node's shared services.</summary>
internal sealed record ServerRuntime(
    string Name,
    PalmServer Instance,
    FunctionTable Functions,
    ServerCounters Counters,
    ILoggingAdapter Log,
    IPalmCache Cache,
    PalmSettings Settings,
    DirectoryView Directory,
    IActorRef Node,
    string NodeAddress,
    Transport.DataLanes Lanes);
