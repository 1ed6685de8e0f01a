using System.Collections.Concurrent;
using Palm.Client;
using Palm.Messages;
using Palm.Servers;
using Palm.Tests.Support;

namespace Palm.Tests.Servers;

/// <summary>
/// Calls of one test run of <see cref="OverlapServer"/>, shared by every actor system of the test (they all live in
/// the test's process): how many run now, the most that ran at once, and a barrier that opens once
/// <see cref="Target"/> calls run at the same time.
/// </summary>
public sealed class OverlapRun
{
    private static readonly ConcurrentDictionary<string, OverlapRun> Runs = new();
    private int _running;
    private int _max;
    private int _calls;

    private OverlapRun(int target, bool hold)
    {
        Target = target;
        if (!hold) Hold.SetResult();
    }

    public int Target { get; }

    /// <summary>Opens once <see cref="Target"/> calls run at once.</summary>
    public TaskCompletionSource AllIn { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Calls wait for it after <see cref="AllIn"/>; open from the start unless the run was started with <c>hold</c>.</summary>
    public TaskCompletionSource Hold { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Max => Volatile.Read(ref _max);

    public int Calls => Volatile.Read(ref _calls);

    /// <summary>
    /// A new run whose calls wait until <paramref name="target"/> of them run at once (and, with <paramref name="hold"/>,
    /// until the test opens <see cref="Hold"/>); its inputs name <paramref name="key"/>.
    /// </summary>
    public static OverlapRun Start(string key, int target, bool hold = false) => Runs[key] = new OverlapRun(target, hold);

    public static OverlapRun Of(string key) => Runs[key];

    public void Enter()
    {
        Interlocked.Increment(ref _calls);
        var now = Interlocked.Increment(ref _running);
        int max;
        while (now > (max = Volatile.Read(ref _max)) && Interlocked.CompareExchange(ref _max, now, max) != max)
        {
        }
        if (now >= Target) AllIn.TrySetResult();
    }

    public void Leave() => Interlocked.Decrement(ref _running);

    /// <summary>Inputs "key:i", every tenth ("key:i:bad", i ending in 3) one that the function throws on.</summary>
    public static IEnumerable<byte[]> Inputs(string key, int count) =>
        Enumerable.Range(0, count).Select(i => Text.Bytes(i % 10 == 3 ? $"{key}:{i}:bad" : $"{key}:{i}"));
}

/// <summary>
/// Asynchronous functions whose calls wait for each other: a call returns only once <see cref="OverlapRun.Target"/>
/// calls of its run have run at the same time, so a job completes only if the server really overlaps them.
/// </summary>
public sealed class OverlapServer : ButterflyServer
{
    public const int Limit = 8;

    /// <summary>Up to <see cref="Limit"/> calls at once, by attribute.</summary>
    [PalmFunction("overlap", MaxConcurrency = Limit)]
    public Task<byte[]> Overlap(byte[] payload) => Call(payload);

    /// <summary>As many calls at once as <c>palm.server.max-concurrency</c> says.</summary>
    [PalmFunction("byDefault")]
    public Task<byte[]> ByDefault(byte[] payload) => Call(payload);

    private static async Task<byte[]> Call(byte[] payload)
    {
        var parts = Text.Of(payload).Split(':');
        var run = OverlapRun.Of(parts[0]);
        run.Enter();
        try
        {
            // Bounded: a server that never overlaps its calls fails these calls (and the test) instead of hanging.
            await run.AllIn.Task.WaitAsync(TimeSpan.FromSeconds(120));
            await run.Hold.Task.WaitAsync(TimeSpan.FromSeconds(120));
            await Task.Yield();
            if (parts.Length > 2) throw new InvalidOperationException($"input {parts[1]} is bad");
            return payload;
        }
        finally
        {
            run.Leave();
        }
    }

    /// <summary>Counts how many calls run at once without waiting for any (for the default of one at a time).</summary>
    [PalmFunction("count")]
    public async Task<byte[]> Count(byte[] payload)
    {
        var run = OverlapRun.Of(Text.Of(payload).Split(':')[0]);
        run.Enter();
        try
        {
            await Task.Yield();
            return payload;
        }
        finally
        {
            run.Leave();
        }
    }
}

internal static class OverlapAssert
{
    /// <summary>
    /// Every input of <see cref="OverlapRun.Inputs"/> gave exactly one result: its payload, or for a bad one an error
    /// naming server <paramref name="server"/>, function <paramref name="function"/> and the exception.
    /// </summary>
    public static void EachInputOnce(IReadOnlyCollection<JobResult> results, int count, string server, string function)
    {
        Xunit.Assert.Equal(count, results.Count);
        Xunit.Assert.Equal(Enumerable.Range(0, count).Select(i => (long)i), results.Select(r => r.InputIndex).Order());
        foreach (var r in results)
        {
            if (r.InputIndex % 10 == 3)
            {
                Xunit.Assert.True(r.IsError, $"input {r.InputIndex} should have failed");
                Xunit.Assert.Equal((Palm.Messages.PalmErrorKind.FunctionFailed, server, function, typeof(InvalidOperationException).FullName),
                    (r.Error!.Kind, r.Error.Server, r.Error.Function, r.Error.ExceptionType));
                Xunit.Assert.Contains($"input {r.InputIndex} is bad", r.Error.Message);
            }
            else
            {
                Xunit.Assert.False(r.IsError, r.ToString());
                Xunit.Assert.EndsWith($":{r.InputIndex}", Text.Of(r.Payload));
            }
        }
    }
}
