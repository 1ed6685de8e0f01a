using Palm.Dispatch;
using Palm.Messages;
using Palm.Servers;
using Palm.Templates.Parallel.Internal;

namespace Palm.Templates.ScatterGather.Internal;

/// <summary>
/// The leader's part of a <see cref="ScatterGatherServer"/>: scatters each accepted message into parts that the workers
/// (or, standalone, the server itself) run the step's function on, and gathers the answers per message. A part is known by
/// its work message (by reference: the ventilator hands back the very message it was given), so it is gathered once, from
/// the worker that holds it, whatever the re-dispatches.
/// </summary>
internal sealed class ScatterGatherStage(LeaderOps ops, ScatterGatherServer server) : ILeaderStage
{
    private readonly Dictionary<PipelineMessage, Part> _parts = new(ReferenceEqualityComparer.Instance);
    private readonly ServerRuntime _runtime = ops.Runtime;
    private readonly UserCall _calls = new(ops.Runtime);

    public void Accept(PipelineMessage message)
    {
        if (!_calls.TryRun("Scatter", message, (server, message), static s => ScatterParts(s.server, s.message), out var parts, out var error))
        {
            ops.Forwarder.Fail(message, error);
            return;
        }
        if (parts.Count == 0)
        {
            // Documented: no parts is a gather of no results, at once (nothing waits for a part that never comes).
            Finish(new Gathering(message, 0));
            return;
        }
        var tooLarge = PayloadLimit.Check(parts.Max(p => p.Length), _runtime.Settings.MaxPayloadBytes, "A part", _runtime.Name, "Scatter", message.Stage);
        if (!Weights.TrySplit(message.Weight, parts.Count, out var split))
            tooLarge ??= Weights.TooManyOutputs(_runtime.Name, "Scatter", message.Stage, parts.Count);
        if (tooLarge is not null)
        {
            _runtime.Counters.AddError();
            ops.Forwarder.Fail(message, tooLarge);
            return;
        }
        // Each part carries its share of the message's weight, as any fan-out would; the gather returns the whole to the message.
        var gathering = new Gathering(message, parts.Count);
        for (var i = 0; i < parts.Count; i++)
        {
            var part = message with { Weight = split[i], Payload = parts[i] };
            _parts[part] = new Part(gathering, i);
            ops.Enqueue(part);
        }
    }

    /// <summary>Scatter's parts, enumerated (a lazy Scatter throws here, inside the user call).</summary>
    private static List<byte[]> ScatterParts(ScatterGatherServer server, PipelineMessage message)
    {
        List<byte[]> parts = [.. server.ScatterMessage(message.Payload) ?? []];
        if (parts.Exists(p => p is null)) throw new InvalidOperationException("Scatter returned a null part.");
        return parts;
    }

    public void Answered(PipelineMessage work, in StepOutcome outcome)
    {
        if (!_parts.Remove(work, out var part)) return;
        var gathering = part.Gathering;
        gathering.Pending--;
        if (gathering.Failed) return;
        if (outcome.Error is { } error)
        {
            // The input's result is this error; the parts still out are answered into nothing.
            gathering.Failed = true;
            ops.Forwarder.Fail(gathering.Message, error with
            {
                Message = $"Part {part.Index} of {gathering.Results.Length} failed: {error.Message}",
            });
            return;
        }
        gathering.Results[part.Index] = outcome.ToList();
        if (gathering.Pending == 0) Finish(gathering);
    }

    private void Finish(Gathering gathering)
    {
        var message = gathering.Message;
        var results = new List<ReadOnlyMemory<byte>>();
        foreach (var outputs in gathering.Results) results.AddRange(outputs);
        var outcome = _calls.Outputs("Gather", message, (server, message, results),
            static s => s.server.GatherResults(s.message.Payload, s.results));
        ops.Forwarder.Emit(message, outcome);
    }

    private sealed class Gathering(PipelineMessage message, int parts)
    {
        public PipelineMessage Message { get; } = message;
        public IReadOnlyList<ReadOnlyMemory<byte>>[] Results { get; } = new IReadOnlyList<ReadOnlyMemory<byte>>[parts];
        public int Pending { get; set; } = parts;
        public bool Failed { get; set; }
    }

    private readonly record struct Part(Gathering Gathering, int Index);
}
