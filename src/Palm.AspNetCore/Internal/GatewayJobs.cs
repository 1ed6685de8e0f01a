using System.Collections.Concurrent;
using System.Diagnostics;
using Palm.Client;

namespace Palm.AspNetCore.Internal;

/// <summary>The jobs running through this gateway (<c>GET jobs</c> and the status page), and the spools' memory high-water mark.</summary>
internal sealed class GatewayJobs
{
    private readonly ConcurrentDictionary<Guid, GatewayJob> _running = new();
    private long _spoolHighWater;
    private long _spilled;

    /// <summary>The most bytes any one job's spool held in memory at once, since the gateway started (tests assert the bound).</summary>
    public long SpoolHighWaterBytes => Interlocked.Read(ref _spoolHighWater);

    /// <summary>Bytes the spools of ended jobs wrote to their files, in all (0: every client kept up).</summary>
    public long SpilledBytes => Interlocked.Read(ref _spilled);

    /// <summary>Lists a new job until <see cref="GatewayJob.Dispose"/>.</summary>
    public GatewayJob Start(string kind, string route, long? expectedTotal, string? remote)
    {
        var job = new GatewayJob(this, kind, route, expectedTotal, remote);
        _running[job.Id] = job;
        return job;
    }

    internal void End(GatewayJob job)
    {
        if (_running.TryRemove(job.Id, out _) && job.Spool is { } spool) Interlocked.Add(ref _spilled, spool.SpilledBytes);
    }

    /// <summary>Raises the high-water mark to <paramref name="bytes"/> if above it.</summary>
    public void ReportSpoolMemory(long bytes)
    {
        var seen = Interlocked.Read(ref _spoolHighWater);
        while (bytes > seen)
        {
            var previous = Interlocked.CompareExchange(ref _spoolHighWater, bytes, seen);
            if (previous == seen) return;
            seen = previous;
        }
    }

    /// <summary>The running jobs, oldest first.</summary>
    public IReadOnlyList<GatewayJobView> Snapshot() =>
        _running.Values.OrderBy(j => j.Started).Select(j => j.View()).ToArray();
}

/// <summary>One job through the gateway: what its client sent, and its <see cref="JobProgress"/> as the Palm client reports it.</summary>
internal sealed class GatewayJob : IProgress<JobProgress>, IDisposable
{
    private readonly GatewayJobs _owner;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private JobProgress? _progress;
    private long _inputsRead;

    public GatewayJob(GatewayJobs owner, string kind, string route, long? expectedTotal, string? remote)
    {
        _owner = owner;
        Kind = kind;
        Route = route;
        ExpectedTotal = expectedTotal;
        Remote = remote;
    }

    public Guid Id { get; } = Guid.NewGuid();

    public string Kind { get; }

    public string Route { get; }

    /// <summary>The number of inputs the client announced (<c>?total=</c>), for the progress bar before the upload ends.</summary>
    public long? ExpectedTotal { get; }

    public string? Remote { get; }

    public DateTimeOffset Started { get; } = DateTimeOffset.UtcNow;

    /// <summary>The job's spool, for a streamed job once it runs.</summary>
    public ResultSpool? Spool { get; set; }

    public long InputsRead => Interlocked.Read(ref _inputsRead);

    public void InputRead() => Interlocked.Increment(ref _inputsRead);

    void IProgress<JobProgress>.Report(JobProgress value) => Volatile.Write(ref _progress, value);

    public GatewayJobView View()
    {
        var p = Volatile.Read(ref _progress);
        var total = p?.Total ?? ExpectedTotal;
        var completed = p?.InputsCompleted ?? 0;
        var elapsed = _clock.Elapsed;
        return new GatewayJobView(Id, Kind, Route, Remote, Started, elapsed.TotalSeconds, InputsRead, p?.InputsIssued ?? 0, completed,
            p?.Results ?? 0, p?.Errors ?? 0, total, total is { } t ? (t == 0 ? 1 : Math.Min(1, completed / (double)t)) : null,
            elapsed > TimeSpan.Zero ? completed / elapsed.TotalSeconds : 0, Spool?.MemoryBytes ?? 0, Spool?.FileBytes ?? 0);
    }

    public void Dispose() => _owner.End(this);
}

/// <summary>A job as <c>GET jobs</c> lists it.</summary>
internal sealed record GatewayJobView(
    Guid Id, string Kind, string Route, string? Remote, DateTimeOffset Started, double ElapsedSeconds, long InputsRead, long InputsIssued,
    long InputsCompleted, long Results, long Errors, long? Total, double? Fraction, double InputsPerSecond, long SpoolMemoryBytes, long SpoolFileBytes);
