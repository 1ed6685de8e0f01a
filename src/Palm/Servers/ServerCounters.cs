using System.Diagnostics;

namespace Palm.Servers;

/// <summary>
/// Live counters of one server (or one worker), updated without locks and readable from any thread.
/// Operators read them from outside through <c>PalmClient.GetStatusAsync</c>.
/// </summary>
public sealed class ServerCounters
{
    private long _in, _out, _errors, _userTicks;
    private int _inFlight, _workers;

    /// <summary>Messages handed to the server's functions.</summary>
    public long MessagesIn => Interlocked.Read(ref _in);

    /// <summary>Payloads the server's functions produced.</summary>
    public long MessagesOut => Interlocked.Read(ref _out);

    /// <summary>Error results the server produced (functions that threw, bad routes, oversize payloads).</summary>
    public long Errors => Interlocked.Read(ref _errors);

    /// <summary>Wall time spent inside user functions.</summary>
    public TimeSpan UserTime => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _userTicks));

    /// <summary>
    /// Messages the server has taken and not finished with, as of its last batch: waiting for a call slot or in a
    /// call on a server or worker, handed to a worker and not answered on a leader.
    /// </summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>For a leader, the workers it currently uses; 0 for any other role.</summary>
    public int Workers => Volatile.Read(ref _workers);

    internal void AddIn() => Interlocked.Increment(ref _in);
    internal void AddOut(int n) => Interlocked.Add(ref _out, n);
    internal void AddError() => Interlocked.Increment(ref _errors);
    internal void AddUserTime(long stopwatchTicks) => Interlocked.Add(ref _userTicks, stopwatchTicks);

    /// <summary>Set by the server's actor once per batch (never per message): a gauge, read by status and metrics.</summary>
    internal void SetInFlight(int messages) => Volatile.Write(ref _inFlight, messages);

    /// <summary>Set by a leader whenever it dispatches.</summary>
    internal void SetWorkers(int workers) => Volatile.Write(ref _workers, workers);
}
