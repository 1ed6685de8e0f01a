using System.Diagnostics;

namespace Palm.Servers;

/// <summary>
/// Live counters of one server (or one worker), updated without locks and readable from any thread.
/// Operators read them from outside through <c>PalmClient.GetStatusAsync</c>.
/// </summary>
public sealed class ServerCounters
{
    private long _in, _out, _errors, _userTicks;

    /// <summary>Messages handed to the server's functions.</summary>
    public long MessagesIn => Interlocked.Read(ref _in);

    /// <summary>Payloads the server's functions produced.</summary>
    public long MessagesOut => Interlocked.Read(ref _out);

    /// <summary>Error results the server produced (functions that threw, bad routes, oversize payloads).</summary>
    public long Errors => Interlocked.Read(ref _errors);

    /// <summary>Wall time spent inside user functions.</summary>
    public TimeSpan UserTime => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _userTicks));

    internal void AddIn() => Interlocked.Increment(ref _in);
    internal void AddOut(int n) => Interlocked.Add(ref _out, n);
    internal void AddError() => Interlocked.Increment(ref _errors);
    internal void AddUserTime(long stopwatchTicks) => Interlocked.Add(ref _userTicks, stopwatchTicks);
}
