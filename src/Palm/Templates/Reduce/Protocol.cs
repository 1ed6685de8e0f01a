using Palm.Messages;
namespace Palm.Templates.Reduce;

/// <summary>
/// A client tells a reduce that its job is complete at stage <see cref="Stage"/>: every message of the job that reaches
/// that step has been folded (the client has all the rest of the job's weight back). The reduce emits what it holds
/// for the job and replies with an <c>Emitted</c> result item (final) on the job's result stream. Sent again until
/// that reply comes (Akka.Remote delivers at most once); the reduce answers a repeated flush with the same reply.
/// </summary>
internal sealed record ReduceFlush(Guid JobId, int Stage) : Messages.IPalmControlMessage;
