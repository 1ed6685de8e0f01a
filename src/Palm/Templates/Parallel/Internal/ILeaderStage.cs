using Akka.Actor;
using Palm.Dispatch;
using Palm.Messages;

namespace Palm.Templates.Parallel.Internal;

/// <summary>
/// What a parallel template does around its workers, the one thing in which the templates' leaders differ; everything else
/// is the butterfly leader's, shared by every template (docs/internals.md#ileaderstage).
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
