using System.Text.RegularExpressions;
using Palm.Client;

namespace Palm.Examples.Internal;

/// <summary>An example's own check of its results: it exits 1, printing what differs, when a result is wrong.</summary>
internal static class Expect
{
    /// <summary>
    /// 0 when <paramref name="actual"/> holds the lines of <paramref name="expected"/>, each as many times, in any order
    /// (parallel workers answer in the order they finish); otherwise 1, after printing the lines missing and those extra.
    /// </summary>
    public static int Same(TextWriter output, IEnumerable<string> expected, IEnumerable<string> actual)
    {
        var missing = expected.ToList();
        var extra = new List<string>();
        foreach (var line in actual)
            if (!missing.Remove(line)) extra.Add(line);
        if (missing.Count == 0 && extra.Count == 0) return 0;
        foreach (var line in missing) output.WriteLine($"WRONG: missing '{line}'");
        foreach (var line in extra) output.WriteLine($"WRONG: unexpected '{line}'");
        return 1;
    }

    /// <summary>
    /// 0 when every input index below <paramref name="inputs"/> has exactly <paramref name="perInput"/> results and no error;
    /// otherwise 1, after printing which input is off.
    /// </summary>
    public static int PerInput(TextWriter output, IReadOnlyCollection<JobResult> results, int inputs, int perInput)
    {
        var wrong = Enumerable.Range(0, inputs)
            .Select(i => (Input: i, Count: results.Count(r => r.InputIndex == i && !r.IsError)))
            .Where(x => x.Count != perInput).ToArray();
        foreach (var (input, count) in wrong) output.WriteLine($"WRONG: input #{input} has {count} results, not {perInput}");
        foreach (var error in results.Where(r => r.IsError)) output.WriteLine($"WRONG: {error}");
        return wrong.Length == 0 && results.All(r => !r.IsError) && results.Count == inputs * perInput ? 0 : 1;
    }

    /// <summary>
    /// 0 when every line is <paramref name="before"/>, then a worker's identity (<c>SERVER/worker-N@HOST:PORT</c>, one of
    /// <paramref name="server"/>'s: which worker did which is up to the leader), then <paramref name="after"/>; otherwise 1.
    /// </summary>
    public static int FromWorkers(TextWriter output, IEnumerable<string> lines, string before, string server, string after)
    {
        var pattern = new Regex($@"^{Regex.Escape(before)}{Regex.Escape(server)}/worker-\d+@\S+:\d+{Regex.Escape(after)}$");
        var wrong = lines.Where(l => !pattern.IsMatch(l)).ToArray();
        foreach (var line in wrong) output.WriteLine($"WRONG: '{line}' is not '{before}', a worker of {server}, '{after}'");
        return wrong.Length == 0 ? 0 : 1;
    }
}
