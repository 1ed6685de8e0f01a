using Akka.Actor;
using Akka.Configuration;
using Palm.Dispatch;
using Palm.Messages;

namespace Palm.Templates.Parallel.Internal;

/// <summary>
/// What a parallel template does around its workers, the one thing in which the templates' leaders differ: which work
/// items an accepted message becomes, and what an answered item turns into. Everything else (the ventilator, the
/// workers, drains, the directory) is the butterfly leader's, shared by every template. A standalone
/// server runs the same stage with its own function calls in place of workers (<see cref="Templates.Internal.StageServerActor"/>),
/// so a template behaves the same with or without workers.
/// </summary>
internal interface ILeaderStage
{
    /// <summary>A message whose step resolved reached the leader: hand its work to <see cref="LeaderOps.Enqueue"/> (or answer it at once).</summary>
    void Accept(PipelineMessage message);

    /// <summary>
    /// The worker that held <paramref name="work"/> answered it (once per item, whatever the re-dispatches):
    /// <paramref name="outcome"/> is the step function's outputs, or its error.
    /// </summary>
    void Answered(PipelineMessage work, in StepOutcome outcome);

    /// <summary>A message the leader itself does not handle (a stage's own protocol or timer); false if it is not the stage's either.</summary>
    bool Handle(object message, IActorRef sender) => false;
}

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

/// <summary>The butterfly's stage: each message is one work item, and each answer continues along the route as it is.</summary>
internal sealed class ButterflyStage(LeaderOps ops) : ILeaderStage
{
    public void Accept(PipelineMessage message) => ops.Enqueue(message);

    public void Answered(PipelineMessage work, in StepOutcome outcome) => ops.Forwarder.Emit(work, outcome);
}
