using Palm.Messages;

namespace Palm.Client.Internal;

/// <summary>
/// The one completion watermark: ids 0, 1, 2, ... whose weight returns (a job's inputs, a reduce stage's emitted
/// messages). An id is complete when all of <see cref="Weights.Whole"/> has come back, whatever the fan-out on the way,
/// and counts complete once; the complete ids are kept as a low watermark plus the set of those above it, which stays
/// as small as the spread of the ids in flight.
/// </summary>
internal sealed class CompletionLedger
{
    private readonly HashSet<long> _above = [];
    private readonly Dictionary<long, UInt128> _returned = new();

    /// <summary>Every id below this one is complete.</summary>
    public long Watermark { get; private set; }

    /// <summary>How many complete ids are kept above the watermark (those completed out of order).</summary>
    public int CompleteAbove => _above.Count;

    public bool IsComplete(long id) => id < Watermark || (_above.Count > 0 && _above.Contains(id));

    /// <summary>The weight returned so far for <paramref name="id"/>, not complete yet.</summary>
    public UInt128 Returned(long id) => _returned.Count > 0 && _returned.TryGetValue(id, out var sum) ? sum : UInt128.Zero;

    /// <summary>
    /// <paramref name="weight"/> came back for <paramref name="id"/>. A duplicate if the id is complete already or this is
    /// more than it has left (at-least-once transports may duplicate a branch; which copy is the duplicate cannot be told,
    /// the later one goes).
    /// </summary>
    public WeightReturn Return(long id, UInt128 weight)
    {
        if (IsComplete(id)) return WeightReturn.Duplicate;
        var sum = Returned(id);
        if (weight > Weights.Whole - sum) return WeightReturn.Duplicate;
        sum += weight;
        if (sum != Weights.Whole)
        {
            _returned[id] = sum;
            return WeightReturn.Partial;
        }
        if (_returned.Count > 0) _returned.Remove(id);
        if (id != Watermark) _above.Add(id);
        else
        {
            Watermark++;
            while (_above.Count > 0 && _above.Remove(Watermark)) Watermark++;
        }
        return WeightReturn.Completed;
    }
}

/// <summary>What returning weight did to an id (<see cref="CompletionLedger.Return"/>).</summary>
internal enum WeightReturn
{
    /// <summary>Ignored: the id was complete already, or the weight was more than it had left.</summary>
    Duplicate,
    /// <summary>Counted; the id is not complete yet.</summary>
    Partial,
    /// <summary>Counted, and the id is now complete.</summary>
    Completed,
}
