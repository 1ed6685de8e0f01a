using System.Globalization;
using Akka.Configuration;

namespace Palm.Bench.Butterfly;

/// <summary>
/// Concurrency of asynchronous functions (issue 8): a step that waits 20 ms (<c>await Task.Delay(20)</c>) on a
/// butterfly server with one worker, run with one call at a time (<see cref="WaitServer"/>) and with 64 calls at
/// once (<see cref="ConcurrentWaitServer"/>, <c>[PalmFunction(MaxConcurrency = 64)]</c>), in the same cluster and run.
/// Mostly waiting: it hardly loads the machine. Every result is counted; a lost or duplicated one fails the run.
/// </summary>
public static class ConcurrencyBenchmark
{
    /// <summary>Runs the figure; returns 0 when every result arrived exactly once, 1 otherwise.</summary>
    /// <param name="args"><c>--messages N</c>: messages of the 64-call figure (default 6,400; the one-call figure gets N / 64, at least 50).</param>
    public static async Task<int> RunAsync(string[] args)
    {
        var messages = Parse(args);
        var serial = Math.Max(50, messages / 64);
        var config = ConfigurationFactory.ParseString("akka.loglevel = OFF\nakka.stdout-loglevel = OFF");
        var tally = new Tally();
        var small = new byte[100];

        Console.WriteLine($"Palm concurrency of asynchronous functions: {Environment.ProcessorCount} cores, .NET {Environment.Version}; " +
            "leader and worker each their own actor system on loopback.");
        await using var rig = await BenchRig.StartAsync(config, workerNodes: 2);
        await rig.StartButterflyAsync<WaitServer>("one", 1);
        await rig.StartButterflyAsync<ConcurrentWaitServer>("many", 1);
        // Untimed: JIT, connections, and the worker's window grown to what 64 calls need.
        await rig.RunAsync("one.wait", 10, small);
        await rig.RunAsync("many.wait", 640, small);

        Console.WriteLine();
        Console.WriteLine("I/O-bound step (each call waits 20 ms), 1 worker");
        var one = await rig.RunAsync("one.wait", serial, small, tally);
        var many = await rig.RunAsync("many.wait", messages, small, tally);
        var (oneRate, manyRate) = (one.Count / one.Seconds, many.Count / many.Seconds);
        Line("concurrency 1", one);
        Line("concurrency 64", many);
        var ratio = manyRate / oneRate;
        Console.WriteLine($"  ratio            : {ratio:F1}x   (target >= 40x: {(ratio >= 40 ? "met" : "MISSED")}; 64x would be perfect overlap)");
        Console.WriteLine($"Results: {tally.Messages:N0} inputs in timed runs, {tally.Lost} lost, {tally.Duplicated} duplicated, {tally.Errors} errors.");
        return tally.Exact ? 0 : 1;
    }

    private static void Line(string label, Outcome o) =>
        Console.WriteLine($"  {label,-17}: {o.Count,6:N0} messages in {o.Seconds,6:F2} s   {o.Count / o.Seconds,8:N0} msg/s   lost {o.Lost}, duplicated {o.Duplicated}" +
            (o.Errors > 0 ? $", errors {o.Errors}" : ""));

    private static int Parse(string[] args)
    {
        var messages = 6_400;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--messages" && i + 1 < args.Length && int.TryParse(args[++i], NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0)
                messages = n;
            else throw new ArgumentException($"unknown or incomplete option '{args[i]}'.");
        }
        return messages;
    }
}
