using System.Diagnostics;
using System.Text;
using Palm.Client;

namespace Palm.Demo;

/// <summary>The demo job: the seed document's route over a stream of trades, with a summary.</summary>
public static class DemoPipeline
{
    /// <summary>The seed document's job shape: A, then B, then C, then B again.</summary>
    public static readonly string[] Route = ["a.parse", "b.enrich", "c.price", "b.store"];

    /// <summary>The servers the route needs.</summary>
    public static readonly string[] Servers = ["a", "b", "c"];

    /// <summary>The i-th demo trade as text.</summary>
    public static byte[] Trade(long i) => Encoding.UTF8.GetBytes($"{i};{1_000_000 + i % 1000};{0.01 + i % 7 * 0.005:F3}");

    /// <summary>Runs the job over <paramref name="count"/> trades and prints a summary; returns whether every input gave one result and no error.</summary>
    public static async Task<bool> RunAsync(PalmClient client, int count, TextWriter output)
    {
        var watch = Stopwatch.StartNew();
        long results = 0, errors = 0;
        var seen = new bool[count];
        var duplicates = 0;
        string? sample = null, firstError = null;
        await foreach (var r in client.RunJob(Route, Enumerable.Range(0, count).Select(i => Trade(i))))
        {
            if (r.IsError)
            {
                errors++;
                firstError ??= r.Error!.ToString();
                continue;
            }
            results++;
            if (seen[r.InputIndex]) duplicates++;
            seen[r.InputIndex] = true;
            sample ??= Encoding.UTF8.GetString(r.Payload.Span);
        }
        watch.Stop();
        output.WriteLine($"route      : {string.Join(" -> ", Route)}");
        output.WriteLine($"inputs     : {count}");
        output.WriteLine($"results    : {results} ({duplicates} duplicates)");
        output.WriteLine($"errors     : {errors}{(firstError is null ? "" : $" (first: {firstError})")}");
        output.WriteLine($"elapsed    : {watch.Elapsed.TotalSeconds:F2} s ({count / watch.Elapsed.TotalSeconds:N0} msg/s, including warm-up)");
        if (sample is not null) output.WriteLine($"sample     : {sample}");
        return results == count && errors == 0 && duplicates == 0;
    }
}
