using Akka.Actor;
using Akka.Configuration;
using Palm.Dispatch;
using Palm.Messages;

namespace Palm.Templates.Parallel.Internal;

/// <summary>What a stage may use of the actor that runs it.</summary>
/// <param name="Runtime">The server.</param>
/// <param name="Forwarder">Sends outputs on along their routes and results to clients.</param>
/// <param name="Enqueue">Hands a work item to the workers (or, standalone, to the server's own calls).</param>
/// <param name="Self">The actor that runs the stage.</param>
/// <param name="Timers">The actor's timers; their messages come back through <see cref="ILeaderStage.Handle"/>.</param>
/// <param name="Config">The actor system's configuration, for a template's own settings.</param>
/// <param name="Watch">DeathWatches an actor; its <see cref="Terminated"/> comes back through <see cref="ILeaderStage.Handle"/>.</param>
internal sealed record LeaderOps(ServerRuntime Runtime, Forwarder Forwarder, Action<PipelineMessage> Enqueue, IActorRef Self,
    Func<ITimerScheduler> Timers, Config Config, Action<IActorRef> Watch);
