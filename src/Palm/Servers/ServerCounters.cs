using System.Diagnostics;
using Palm.Messages;

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

    internal ServerStatus Snapshot(string name, string template, string role, string node, int workers) =>
        new(name, template, role, node, MessagesIn, MessagesOut, Errors, UserTime, workers);
}

/// <summary>A snapshot of one server's counters, as an operator sees it.</summary>
/// <param name="Name">Server name.</param>
/// <param name="Template">Template class (RegisteredServer, ButterflyServer...).</param>
/// <param name="Role">serial, leader or worker.</param>
/// <param name="Node">Address of the node hosting it.</param>
/// <param name="MessagesIn">Messages handed to its functions.</param>
/// <param name="MessagesOut">Payloads its functions produced.</param>
/// <param name="Errors">Error results it produced.</param>
/// <param name="UserTime">Wall time spent in its functions.</param>
/// <param name="Workers">For a leader, the number of workers it currently uses.</param>
public sealed record ServerStatus(
    string Name, string Template, string Role, string Node, long MessagesIn, long MessagesOut, long Errors, TimeSpan UserTime, int Workers) : IPalmControlMessage;
