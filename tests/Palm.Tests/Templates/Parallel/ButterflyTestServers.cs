using Palm.Client;
using Palm.Servers;
using Palm.Tests.Support;

namespace Palm.Tests.Templates.Parallel;

/// <summary>
/// The butterfly server of these tests. <c>work</c> simulates work of <c>payload[0]</c> milliseconds times
/// <see cref="Slowness"/>, so that one class can play fast and slow workers.
/// </summary>
public class CrunchServer : ButterflyServer
{
    protected virtual int Slowness => 1;

    /// <summary>Simulated work: payload[0] × slowness milliseconds, then the payload unchanged.</summary>
    [PalmFunction("work")]
    public byte[] Work(byte[] payload)
    {
        // The sleep IS the work under test: a blocking user function on the worker's own thread, not test synchronization.
        if (payload.Length > 0 && payload[0] > 0) Thread.Sleep(payload[0] * Slowness);
        return payload;
    }

    /// <summary>As many copies of the payload as its last byte says (none for 0).</summary>
    [PalmFunction("fan")]
    public IEnumerable<byte[]> Fan(byte[] payload) => Enumerable.Repeat(payload, payload.Length == 0 ? 0 : payload[^1]);

    /// <summary>Throws for the payload "bad".</summary>
    [PalmFunction("picky")]
    public byte[] Picky(byte[] payload) => Text.Of(payload) == "bad" ? throw new FormatException("bad input") : payload;

    [PalmFunction("later")]
    public async Task<byte[]> Later(byte[] payload)
    {
        await Task.Yield();
        return Text.Bytes(Text.Of(payload) + "!");
    }

    /// <summary>Appends the payload to this server's cache (the leader's) under the job's cache key.</summary>
    [PalmFunction("remember")]
    public async Task<byte[]> Remember(byte[] payload, MessageContext context)
    {
        await Cache.AppendAsync(context.CacheKey!, payload);
        return payload;
    }

    /// <summary>Reads this server's cache (the leader's) under the job's cache key, from wherever the function runs.</summary>
    [PalmFunction("fromCache")]
    public async Task<byte[]> FromCache(byte[] _, MessageContext context) =>
        await Cache.GetAsync(context.CacheKey!) ?? Text.Bytes("<none>");
}

/// <summary>A worker four times slower than <see cref="CrunchServer"/>.</summary>
public sealed class SlowCrunchServer : CrunchServer
{
    protected override int Slowness => 4;
}

internal static class Jobs
{
    /// <summary>Inputs that wait for <paramref name="gate"/> after the first <paramref name="before"/>, so a test can act mid-job.</summary>
    public static async IAsyncEnumerable<byte[]> Gated(int before, int after, Task gate, Func<int, byte[]> payload)
    {
        for (var i = 0; i < before; i++) yield return payload(i);
        await gate;
        for (var i = before; i < before + after; i++) yield return payload(i);
    }

    /// <summary>Runs a job to its end within <paramref name="timeout"/> and returns its results.</summary>
    public static Task<List<JobResult>> RunAll(this PalmClient client, string[] route, IEnumerable<byte[]> inputs, TimeSpan timeout, JobOptions? options = null) =>
        client.RunAll(route, inputs.ToAsyncEnumerable(), timeout, options);

    /// <summary>
    /// Runs a job to its end within <paramref name="timeout"/> and returns its results; <paramref name="onResult"/>
    /// sees the number of results so far as they arrive.
    /// </summary>
    public static async Task<List<JobResult>> RunAll(this PalmClient client, string[] route, IAsyncEnumerable<byte[]> inputs, TimeSpan timeout,
        JobOptions? options = null, Action<int>? onResult = null)
    {
        var results = new List<JobResult>();
        await foreach (var r in client.RunJob(route, inputs!, options).WithTimeout(timeout))
        {
            results.Add(r);
            onResult?.Invoke(results.Count);
        }
        return results;
    }

    /// <summary>Checks that inputs 0..count-1 each gave exactly one payload result and nothing else.</summary>
    public static void AssertExactlyOnce(IReadOnlyCollection<JobResult> results, int count)
    {
        var errors = results.Where(r => r.IsError).Take(3).Select(r => r.ToString()).ToArray();
        Xunit.Assert.True(errors.Length == 0, "error results: " + string.Join("; ", errors));
        var seen = new int[count];
        foreach (var r in results) seen[r.InputIndex]++;
        var missing = Enumerable.Range(0, count).Count(i => seen[i] == 0);
        var duplicated = Enumerable.Range(0, count).Count(i => seen[i] > 1);
        Xunit.Assert.True(missing == 0 && duplicated == 0 && results.Count == count,
            $"{results.Count} results for {count} inputs: {missing} missing, {duplicated} duplicated.");
    }
}
