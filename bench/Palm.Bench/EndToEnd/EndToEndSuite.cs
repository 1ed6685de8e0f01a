using System.Diagnostics;
using Palm.Bench.Baselines;
using Palm.Bench.Common;

namespace Palm.Bench.EndToEnd;

/// <summary>
/// The <c>e2e</c> group: each figure starts the plain-Akka baseline and the Palm scenario side by side,
/// warms both up (nothing is timed during the warm-up), then alternates timed runs of the two so that
/// both see the same machine, and prints one line with the medians, the ratio and the delivery counts.
/// </summary>
public static class EndToEndSuite
{
    internal static readonly TimeSpan Stall = TimeSpan.FromSeconds(30);

    /// <summary>Runs every selected figure; returns 0 when every message of every run arrived exactly once.</summary>
    public static async Task<int> RunAsync(BenchOptions o)
    {
        Console.WriteLine($"palm-bench e2e: {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, "
            + $".NET {Environment.Version}, chain {o.Messages:N0} msgs, median of {o.Repeat}, warm-up {o.Warmup.TotalSeconds:F0} s per scenario");
        Console.WriteLine("  # every node and client is its own actor system in this one process, talking over loopback TCP");
        if (o.Tls) await TlsSuite.RunAsync(o);
        else await RunPlainAsync(o);
        return Summary();
    }

    private static async Task RunPlainAsync(BenchOptions o)
    {
        if (o.Runs("one-way")) await OneWay(o);
        if (o.Runs("chain")) await Chain(o);
        if (o.Runs("eval")) await Eval(o);
        if (o.Runs("64k")) await Large(o);
    }

    /// <summary>Prints whether every delivery was exact and which targets were missed; the exit code.</summary>
    private static int Summary()
    {
        var failed = Report.All.Where(f => f.Palm is { Delivery.Exact: false } || f.Akka is { Delivery.Exact: false }).ToArray();
        var missed = Report.All.Where(f => f.Met == false).Select(f => f.Name).ToArray();
        Console.WriteLine(failed.Length == 0 ? "delivery: every message arrived exactly once in every run" : $"delivery: FAILED in {string.Join(", ", failed.Select(f => f.Name))}");
        Console.WriteLine(missed.Length == 0 ? "targets: all met" : $"targets missed: {string.Join(", ", missed)}");
        return failed.Length == 0 ? 0 : 1;
    }

    private static async Task OneWay(BenchOptions o)
    {
        await using var akka = await AkkaOneWay.StartAsync(100, window: 2000, ackEvery: 100);
        await Warm(o, () => akka.RunAsync(Math.Min(o.Messages / 10, 100_000), Stall));
        var runs = await Repeat(o, () => akka.RunAsync(o.Messages, Stall));
        Report.Print(new Figure("one-way A->B 100 B (reference)", "msg/s", null, runs, true, null, "-"));
    }

    private static async Task Chain(BenchOptions o)
    {
        await using var akka = await AkkaChain.StartAsync(100, window: 1000);
        await using var palm = await PalmPipeline.StartAsync(["a", "b", "c"]);
        var warm = Math.Min(o.Messages / 10, 100_000);
        await Warm(o, () => akka.RunAsync(warm, Stall));
        await Warm(o, () => palm.RunJobAsync(warm, 100, null, Stall));
        var (p, a) = await Alternate(o, () => palm.RunJobAsync(o.Messages, 100, null, Stall), () => akka.RunAsync(o.Messages, Stall));
        Report.Print(new Figure("chain client->A->B->C->client 100 B", "msg/s", p, a, true, 3.0, ">= 3x"));
    }

    private static async Task Eval(BenchOptions o)
    {
        var rounds = (int)Math.Clamp(o.Messages / 200, 1000, 20_000);
        await using var akka = await AkkaPingPong.StartAsync(16);
        await using var akkaNoBatch = await AkkaPingPong.StartAsync(16, PlainAkka.NoBatching);
        await using var palm = await PalmPipeline.StartAsync(["a"]);
        await Warm(o, async () => (await akka.RunAsync(1000, Stall)).Delivery);
        await Warm(o, async () => (await akkaNoBatch.RunAsync(1000, Stall)).Delivery);
        await Warm(o, async () => (await palm.EvalAsync(1000, 16)).Delivery);

        var palmMicros = new List<double>();
        var akkaMicros = new List<double>();
        var noBatchMicros = new List<double>();
        Counts? pc = null, ac = null, nc = null;
        for (var i = 0; i < o.Repeat; i++)
        {
            var (pm, pd) = await palm.EvalAsync(rounds, 16);
            var (am, ad) = await akka.RunAsync(rounds, Stall);
            var (nm, nd) = await akkaNoBatch.RunAsync(rounds, Stall);
            palmMicros.AddRange(pm);
            akkaMicros.AddRange(am);
            noBatchMicros.AddRange(nm);
            pc = pc is null ? Counts.Of(pd) : pc + Counts.Of(pd);
            ac = ac is null ? Counts.Of(ad) : ac + Counts.Of(ad);
            nc = nc is null ? Counts.Of(nd) : nc + Counts.Of(nd);
        }
        foreach (var (label, p) in new[] { ("median", 0.5), ("p99", 0.99) })
        {
            var palmValue = new Measurement(Stats.Percentile(palmMicros, p), pc!);
            Report.Print(new Figure($"eval round trip 16 B {label}", "us", palmValue, new Measurement(Stats.Percentile(akkaMicros, p), ac!, "akka: ping-pong, default batching"),
                false, label == "median" ? 1.2 : null, label == "median" ? "<= 1.2x" : "-"));
            Report.Print(new Figure($"eval round trip 16 B {label} (nb)", "us", palmValue, new Measurement(Stats.Percentile(noBatchMicros, p), nc!, "akka: ping-pong, dot-netty batching off"),
                false, null, "-"));
        }
    }

    private static async Task Large(BenchOptions o)
    {
        const int size = 64 * 1024;
        const int window = 64;
        var count = Math.Max(o.Messages / 50, 1000);
        await using var akka = await AkkaOneWay.StartAsync(size, window, ackEvery: 8);
        await using var akkaEcho = await AkkaChain.StartAsync(size, window, stages: 1);
        await using var palm = await PalmPipeline.StartAsync(["a"]);
        var warm = Math.Max(count / 10, 200);
        await Warm(o, () => akka.RunAsync(warm, Stall));
        await Warm(o, () => akkaEcho.RunAsync(warm, Stall));
        await Warm(o, () => palm.RunJobAsync(warm, size, window, Stall));
        var echo = new List<Measurement>();
        var (p, a) = await Alternate(o, () => palm.RunJobAsync(count, size, window, Stall), async () =>
        {
            echo.Add(await akkaEcho.RunAsync(count, Stall));
            return await akka.RunAsync(count, Stall);
        });
        static Measurement MBps(Measurement m) => m with { Value = m.Value * size / 1e6 };
        Report.Print(new Figure("64 KiB client->A->client vs A->B", "MB/s", MBps(p), MBps(a), true, 0.8, ">= 0.8x"));
        Report.Print(new Figure("64 KiB client->A->client, same shape", "MB/s", MBps(p), MBps(Measurement.Median(echo) with { Note = "akka: client->S->client echo, 64 in flight" }),
            true, null, "-"));
    }

    /// <summary>Runs <paramref name="once"/> until the warm-up time is spent (JIT tiers, connections, pools); times nothing.</summary>
    internal static async Task Warm<T>(BenchOptions o, Func<Task<T>> once)
    {
        var watch = Stopwatch.StartNew();
        do await once(); while (watch.Elapsed < o.Warmup);
    }

    private static async Task<Measurement> Repeat(BenchOptions o, Func<Task<Measurement>> run)
    {
        var runs = new List<Measurement>();
        for (var i = 0; i < o.Repeat; i++) runs.Add(await run());
        return Measurement.Median(runs);
    }

    private static async Task<(Measurement Palm, Measurement Akka)> Alternate(BenchOptions o, Func<Task<Measurement>> palm, Func<Task<Measurement>> akka)
    {
        var p = new List<Measurement>();
        var a = new List<Measurement>();
        for (var i = 0; i < o.Repeat; i++)
        {
            a.Add(await akka());
            Collect();
            p.Add(await palm());
            Collect();
        }
        return (Measurement.Median(p), Measurement.Median(a));
    }

    internal static void Collect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
    }
}
