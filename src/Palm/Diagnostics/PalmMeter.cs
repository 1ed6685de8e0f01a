using System.Diagnostics.Metrics;
using System.Numerics;

namespace Palm.Diagnostics;

/// <summary>
/// Palm's one <see cref="System.Diagnostics.Metrics.Meter"/>, named <c>Palm</c>: the application picks the exporter
/// (<c>dotnet-counters monitor --counters Palm</c>, OpenTelemetry's <c>AddMeter("Palm")</c>). Every instrument on it
/// is observable: it reads counters Palm keeps anyway when a listener collects, so a message pays nothing for
/// metrics, listened to or not. The instruments, their units and tags: docs/metrics.md.
/// </summary>
internal static class PalmMeter
{
    /// <summary>The meter's name, what <c>dotnet-counters</c> and exporters select.</summary>
    public const string Name = "Palm";

    /// <summary>The meter, created once per process (instruments are defined by the layer whose counters they read).</summary>
    public static Meter Meter { get; } = new(Name, typeof(PalmMeter).Assembly.GetName().Version?.ToString(3));

    /// <summary>Tag of the server's name (server instruments).</summary>
    public const string ServerTag = "palm.server";

    /// <summary>Tag of the role a server plays: standalone, leader or worker (server instruments).</summary>
    public const string RoleTag = "palm.role";

    /// <summary>Tag of the address of the actor system measured (every instrument: a process may host several).</summary>
    public const string NodeTag = "palm.node";

    /// <summary>Tag of why a lane refused a connection or a frame.</summary>
    public const string ReasonTag = "palm.reason";
}

/// <summary>
/// The live sources one group of observable instruments reads, each with its tags: a source is removed when it stops, so
/// nothing stopped is measured or kept alive. Thread-safe (docs/internals.md#metersources).
/// </summary>
internal sealed class MeterSources<T> where T : class
{
    private readonly Lock _gate = new();
    private Source[] _sources = [];

    /// <summary>How many sources are registered now (tests).</summary>
    public int Count => Volatile.Read(ref _sources).Length;

    /// <summary>Measures <paramref name="source"/> with <paramref name="tags"/> until the result is disposed.</summary>
    public IDisposable Add(T source, params KeyValuePair<string, object?>[] tags)
    {
        var added = new Source(this, source, tags, string.Join('\n', tags.Select(t => $"{t.Key}={t.Value}")));
        lock (_gate) _sources = [.. _sources, added];
        return added;
    }

    /// <summary>
    /// One measurement per distinct tag set: the sum of <paramref name="read"/> over its sources, leaving out
    /// sources for which it is null (an instrument that only some sources have, such as a leader's workers).
    /// Runs when a listener collects, never on a message's path. <paramref name="extra"/>: a tag added to every
    /// measurement, for an instrument that splits each source's count (refusals by reason).
    /// </summary>
    public IEnumerable<Measurement<TValue>> Observe<TValue>(Func<T, TValue?> read, KeyValuePair<string, object?>? extra = null)
        where TValue : struct, INumber<TValue>
    {
        var sums = new Dictionary<string, (KeyValuePair<string, object?>[] Tags, TValue Sum)>(StringComparer.Ordinal);
        foreach (var source in Volatile.Read(ref _sources))
        {
            if (read(source.Value) is not { } value) continue;
            sums[source.Key] = sums.TryGetValue(source.Key, out var known) ? (known.Tags, known.Sum + value) : (source.Tags, value);
        }
        return sums.Values.Select(s => new Measurement<TValue>(s.Sum, extra is { } tag ? [.. s.Tags, tag] : s.Tags)).ToArray();
    }

    private void Remove(Source source)
    {
        lock (_gate) _sources = _sources.Where(s => !ReferenceEquals(s, source)).ToArray();
    }

    private sealed record Source(MeterSources<T> Owner, T Value, KeyValuePair<string, object?>[] Tags, string Key) : IDisposable
    {
        public void Dispose() => Owner.Remove(this);
    }
}
