using Akka.Event;
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

    public void Accept(PipelineMessage message)
    {
        List<byte[]> parts;
        try
        {
            parts = [.. server.ScatterMessage(message.Payload) ?? []];
            if (parts.Exists(p => p is null)) throw new InvalidOperationException("Scatter returned a null part.");
        }
        catch (Exception e)
        {
            Fail(message, "Scatter", e);
            return;
        }
        if (parts.Count == 0)
        {
            // Documented: no parts is a gather of no results, at once (nothing waits for a part that never comes).
            Finish(new Gathering(message, 0));
            return;
        }
        var largest = parts.Max(p => p.Length);
        if (largest > _runtime.Settings.MaxPayloadBytes)
        {
            _runtime.Counters.AddError();
            ops.Forwarder.Fail(message, new PalmError(PalmErrorKind.PayloadTooLarge, _runtime.Name, "Scatter", message.Stage, null,
                $"A part has {largest} bytes; palm.max-payload-bytes allows {_runtime.Settings.MaxPayloadBytes}."));
            return;
        }
        // Each part carries a share of the message's weight, as any fan-out would; the gather returns the whole to the message.
        var share = message.Weight / (UInt128)parts.Count;
        var gathering = new Gathering(message, parts.Count);
        for (var i = 0; i < parts.Count; i++)
        {
            var part = message with { Weight = share, Payload = parts[i] };
            _parts[part] = new Part(gathering, i);
            ops.Enqueue(part);
        }
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
        StepOutcome outcome;
        try
        {
            // Enumerated inside the try: a lazy Gather throws here.
            outcome = StepOutcome.From(server.GatherResults(message.Payload, results));
        }
        catch (Exception e)
        {
            Fail(message, "Gather", e);
            return;
        }
        _runtime.Counters.AddOut(outcome.Count);
        ops.Forwarder.Emit(message, outcome);
    }

    private void Fail(PipelineMessage message, string function, Exception e)
    {
        _runtime.Counters.AddError();
        _runtime.Log.Error(e, "{0} of server {1} failed on job {2} input {3} (step {4}).", function, _runtime.Name, message.Job.JobId, message.InputId, message.Stage);
        ops.Forwarder.Fail(message, new PalmError(PalmErrorKind.FunctionFailed, _runtime.Name, function, message.Stage, e.GetType().FullName, e.Message));
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
