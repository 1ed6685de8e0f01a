using System.Diagnostics.Metrics;

namespace Palm.Tests.Support;

/// <summary>One measurement of an instrument of the <c>Palm</c> meter.</summary>
public sealed record Reading(string Instrument, string? Unit, double Value, IReadOnlyDictionary<string, object?> Tags)
{
    /// <summary>Whether every tag in <paramref name="tags"/> has the given value.</summary>
    public bool Has(params (string Key, string Value)[] tags) =>
        tags.All(t => Tags.TryGetValue(t.Key, out var v) && Equals(v?.ToString(), t.Value));
}

/// <summary>
/// Listens to the <c>Palm</c> meter in process, as <c>dotnet-counters</c> or an exporter would: <see cref="Collect"/>
/// asks every observable instrument for its measurements now. Tests run one at a time, so one listener at a time.
/// </summary>
public sealed class MeterCapture : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly List<Reading> _readings = [];
    private readonly HashSet<Instrument> _published = [];

    public MeterCapture()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name != "Palm") return;
            lock (_published) _published.Add(instrument);
            listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Add(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Add(i, v, tags));
        _listener.Start();
    }

    /// <summary>The instruments of the <c>Palm</c> meter this listener knows.</summary>
    public IReadOnlyList<Instrument> Published
    {
        get
        {
            lock (_published) return _published.ToArray();
        }
    }

    /// <summary>Every measurement the instruments give now.</summary>
    public IReadOnlyList<Reading> Collect()
    {
        lock (_readings)
        {
            _readings.Clear();
            _listener.RecordObservableInstruments();
            return _readings.ToArray();
        }
    }

    /// <summary>The value of <paramref name="instrument"/> with <paramref name="tags"/> now; null if it has no such measurement.</summary>
    public double? Value(string instrument, params (string Key, string Value)[] tags)
    {
        var matching = Collect().Where(r => r.Instrument == instrument && r.Has(tags)).ToArray();
        return matching.Length switch
        {
            0 => null,
            1 => matching[0].Value,
            _ => throw new InvalidOperationException($"{matching.Length} measurements of {instrument} match; name more tags."),
        };
    }

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, object?>();
        foreach (var tag in tags) copy[tag.Key] = tag.Value;
        _readings.Add(new Reading(instrument.Name, instrument.Unit, value, copy));
    }

    public void Dispose() => _listener.Dispose();
}
