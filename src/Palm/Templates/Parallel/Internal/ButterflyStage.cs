using Palm.Dispatch;
using Palm.Messages;

namespace Palm.Templates.Parallel.Internal;

/// <summary>The butterfly's stage: each message is one work item, and each answer continues along the route as it is.</summary>
internal sealed class ButterflyStage(LeaderOps ops) : ILeaderStage
{
    public void Accept(PipelineMessage message) => ops.Enqueue(message);

    public void Answered(PipelineMessage work, in StepOutcome outcome) => ops.Forwarder.Emit(work, outcome);
}
