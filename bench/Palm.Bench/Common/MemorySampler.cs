namespace Palm.Bench.Common;

/// <summary>The memory of this process at one moment: working set, managed heap, and collections so far.</summary>
public sealed record MemorySample(long WorkingSet, long Heap, int Gen0, int Gen1, int Gen2)
{
    /// <summary>Samples now. The heap is <see cref="GC.GetTotalMemory(bool)"/> without collecting, so it includes garbage not yet collected.</summary>
    public static MemorySample Now() => new(Environment.WorkingSet, GC.GetTotalMemory(false),
        GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));

    /// <summary>The larger working set and the larger heap of two samples (each from either), with the later collection counts.</summary>
    public static MemorySample Max(MemorySample a, MemorySample b) =>
        new(Math.Max(a.WorkingSet, b.WorkingSet), Math.Max(a.Heap, b.Heap), Math.Max(a.Gen0, b.Gen0), Math.Max(a.Gen1, b.Gen1), Math.Max(a.Gen2, b.Gen2));

    /// <inheritdoc />
    public override string ToString() =>
        $"working set {Mb(WorkingSet)}, GC heap {Mb(Heap)}, collections gen0 {Gen0:N0} gen1 {Gen1:N0} gen2 {Gen2:N0}";

    private static string Mb(long bytes) => $"{bytes / (1024.0 * 1024.0),6:F0} MB";
}

/// <summary>Samples this process's memory on a period until disposed, keeping the peak.</summary>
public sealed class MemorySampler : IAsyncDisposable
{
    private readonly PeriodicTimer _timer;
    private readonly Task _loop;
    private MemorySample _peak = MemorySample.Now();

    private MemorySampler(TimeSpan period)
    {
        _timer = new PeriodicTimer(period);
        _loop = Loop();
    }

    /// <summary>The largest working set and the largest heap seen so far (not necessarily at the same moment).</summary>
    public MemorySample Peak
    {
        get
        {
            lock (_timer) return _peak;
        }
    }

    /// <summary>Starts sampling every <paramref name="period"/>.</summary>
    public static MemorySampler Start(TimeSpan period) => new(period);

    private async Task Loop()
    {
        while (await _timer.WaitForNextTickAsync().ConfigureAwait(false))
        {
            var now = MemorySample.Now();
            lock (_timer) _peak = MemorySample.Max(_peak, now);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _timer.Dispose();
        await _loop.ConfigureAwait(false);
    }
}
