using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using Akka.Configuration;
using Palm.Client;
using Palm.Cluster;
using Palm.Servers;
using Palm.TestKit;

namespace Palm.Bench.Butterfly;

/// <summary>
/// The ButterflyServer figures of issue 3, in one run: I/O-bound work with 1 and 6 workers, CPU-bound
/// work with 1 and 2 workers beside <see cref="Parallel.For(int, int, Action{int})"/> as the machine's
/// ceiling, and a trivial function through a leader with 2 workers beside a <see cref="RegisteredServer"/>.
/// Every node is its own actor system on loopback (real remoting); every job's results are counted, and
/// a lost or duplicated one makes the run fail.
/// </summary>
public static class ButterflyBenchmark
{
    private const int IoMessages = 600;
    private const int CpuMessages = 200;
    private static readonly TimeSpan CpuCost = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(5);

    /// <summary>Runs the benchmark; returns 0 when every result arrived exactly once, 1 otherwise.</summary>
    /// <param name="args">
    /// <c>--messages N</c> (trivial-function figure, default 100,000), <c>--repeat N</c> (rounds of the CPU-bound and
    /// trivial figures, median printed; default 3), <c>--window N</c> (palm.butterfly.worker-window), <c>--verbose</c>.
    /// </param>
    public static async Task<int> RunAsync(string[] args)
    {
        var (messages, window, repeat, verbose) = Parse(args);
        var clock = Stopwatch.StartNew();
        var startLoad = Load();
        var overrides = verbose ? "" : "akka.loglevel = OFF\nakka.stdout-loglevel = OFF\n";
        if (window is not null) overrides += $"palm.butterfly.worker-window = {window}\n";
        var config = ConfigurationFactory.ParseString(overrides);

        Console.WriteLine($"Palm ButterflyServer benchmark: {Environment.ProcessorCount} cores, .NET {Environment.Version}, " +
            $"worker-window {PalmSettings.Create(config).WorkerWindow}; each node its own actor system on loopback.");
        await using var cluster = await PalmTestCluster.StartAsync(config);
        var leaders = await cluster.StartNodeAsync();
        await leaders.StartServerAsync<WaitServer>("io1", ServerRole.Leader);
        await leaders.StartServerAsync<WaitServer>("io6", ServerRole.Leader);
        await leaders.StartServerAsync<BurnServer>("cpu1", ServerRole.Leader);
        await leaders.StartServerAsync<BurnServer>("cpu2", ServerRole.Leader);
        await leaders.StartServerAsync<TrivialButterflyServer>("fly", ServerRole.Leader);
        var workerNodes = new List<PalmNode>();
        for (var i = 0; i < 6; i++)
        {
            var node = await cluster.StartNodeAsync();
            workerNodes.Add(node);
            await node.StartServerAsync<WaitServer>("io6", ServerRole.Worker);
            if (i == 0) await node.StartServerAsync<WaitServer>("io1", ServerRole.Worker);
            if (i == 0) await node.StartServerAsync<BurnServer>("cpu1", ServerRole.Worker);
            if (i < 2) await node.StartServerAsync<BurnServer>("cpu2", ServerRole.Worker);
            if (i < 2) await node.StartServerAsync<TrivialButterflyServer>("fly", ServerRole.Worker);
        }
        var serial = await cluster.StartNodeAsync();
        await serial.StartServerAsync<TrivialSerialServer>("reg");

        var client = await cluster.ConnectClientAsync();
        var wait = TimeSpan.FromSeconds(60);
        foreach (var (name, workers) in new[] { ("io1", 1), ("io6", 6), ("cpu1", 1), ("cpu2", 2), ("fly", 2) })
        {
            await leaders.WaitForServersAsync([name], wait, workers);
            await client.WaitForServersAsync([name], wait, workers);
        }
        await client.WaitForServersAsync(["reg"], wait);

        var iterations = CpuWork.Calibrate(CpuCost);
        var burn = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(burn, iterations);
        var small = new byte[100];
        new Random(42).NextBytes(small);
        var tally = new Tally();

        // Untimed warm-up: JIT tiering, connections and worker windows settle before anything is measured.
        while (clock.Elapsed < WarmUp)
        {
            await Run(client, "io6.wait", 60, small, null);
            await Run(client, "io1.wait", 10, small, null);
            await Run(client, "cpu2.burn", 10, burn, null);
            await Run(client, "cpu1.burn", 5, burn, null);
            await Run(client, "fly.same", 20_000, small, null);
            await Run(client, "reg.same", 20_000, small, null);
            var warm = new double[10];
            Parallel.For(0, warm.Length, i => warm[i] = CpuWork.Burn(iterations));
        }

        Console.WriteLine();
        Console.WriteLine($"I/O-bound step (each call waits 20 ms), {IoMessages} messages");
        var io1 = await Run(client, "io1.wait", IoMessages, small, tally);
        var io6 = await Run(client, "io6.wait", IoMessages, small, tally);
        var ioSpeedup = io1.Seconds / io6.Seconds;
        Line("1 worker", io1);
        Line("6 workers", io6);
        Console.WriteLine($"  speedup          : {ioSpeedup:F2}x   (target >= 5.5x: {Verdict(ioSpeedup >= 5.5)})");

        Console.WriteLine();
        Console.WriteLine($"CPU-bound step (~{CpuCost.TotalMilliseconds:F0} ms of computation per message, {iterations:N0} iterations), {CpuMessages} messages, median of {repeat} interleaved rounds");
        // Parallel.For gets as many threads as Palm has workers (one per core), so both get the same share of a busy machine.
        var cores = new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount };
        var (sequential, parallel, cpu1s, cpu2s) = (new List<double>(), new List<double>(), new List<Outcome>(), new List<Outcome>());
        for (var round = 0; round < repeat; round++)
        {
            // Results are kept, as Palm's are sent back, so that the compiler cannot drop the work.
            var sums = new double[CpuMessages];
            sequential.Add(Time(() =>
            {
                for (var i = 0; i < CpuMessages; i++) sums[i] = CpuWork.Burn(iterations);
            }));
            parallel.Add(Time(() => Parallel.For(0, CpuMessages, cores, i => sums[i] = CpuWork.Burn(iterations))));
            if (sums.Any(double.IsNaN)) throw new InvalidOperationException("The CPU work computed NaN.");
            cpu1s.Add(await Run(client, "cpu1.burn", CpuMessages, burn, tally));
            cpu2s.Add(await Run(client, "cpu2.burn", CpuMessages, burn, tally));
        }
        var (cpu1, cpu2) = (Median(cpu1s), Median(cpu2s));
        var ceiling = Median(sequential) / Median(parallel);
        var palm = cpu1.Seconds / cpu2.Seconds;
        Console.WriteLine($"  plain for loop   : {Median(sequential),7:F2} s");
        Console.WriteLine($"  Parallel.For     : {Median(parallel),7:F2} s   speedup {ceiling:F2}x (the machine's ceiling, {Environment.ProcessorCount} threads)");
        Line("Palm 1 worker", cpu1);
        Line("Palm 2 workers", cpu2);
        Console.WriteLine($"  Palm speedup     : {palm:F2}x = {palm / ceiling:F2} of Parallel.For's   (target >= 0.9: {Verdict(palm / ceiling >= 0.9)})");

        Console.WriteLine();
        Console.WriteLine($"Trivial function, {messages:N0} messages of {small.Length} bytes, median of {repeat} interleaved rounds");
        var (regs, flies) = (new List<Outcome>(), new List<Outcome>());
        for (var round = 0; round < repeat; round++)
        {
            regs.Add(await Run(client, "reg.same", messages, small, tally));
            flies.Add(await Run(client, "fly.same", messages, small, tally));
        }
        var (reg, fly) = (Median(regs), Median(flies));
        Line("RegisteredServer", reg, throughput: true);
        Line("leader + 2 workers", fly, throughput: true);
        Console.WriteLine($"  ratio            : {reg.Seconds / fly.Seconds:F2} of the serial server's throughput (the price of two more hops per message)");

        Console.WriteLine();
        Console.WriteLine($"Machine load (1-minute average) at start {startLoad}, at end {Load()}: other processes share these cores, so compare figures from quiet runs.");
        Console.WriteLine($"Results: {tally.Messages:N0} inputs in timed runs, {tally.Lost} lost, {tally.Duplicated} duplicated, {tally.Errors} errors.");
        return tally.Exact ? 0 : 1;
    }

    private sealed record Outcome(double Seconds, int Count, int Lost, int Duplicated, int Errors);

    private sealed class Tally
    {
        public long Messages, Lost, Duplicated, Errors;

        public bool Exact => Lost == 0 && Duplicated == 0 && Errors == 0;

        public void Add(Outcome o)
        {
            Messages += o.Count;
            Lost += o.Lost;
            Duplicated += o.Duplicated;
            Errors += o.Errors;
        }
    }

    private static async Task<Outcome> Run(PalmClient client, string step, int count, byte[] payload, Tally? tally)
    {
        var seen = new int[count];
        var errors = 0;
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var watch = Stopwatch.StartNew();
        await foreach (var r in client.RunJob([step], Enumerable.Repeat(payload, count), cancellationToken: limit.Token))
        {
            if (r.IsError) errors++;
            else seen[r.InputIndex]++;
        }
        watch.Stop();
        var outcome = new Outcome(watch.Elapsed.TotalSeconds, count, seen.Count(s => s == 0), seen.Sum(s => Math.Max(0, s - 1)), errors);
        tally?.Add(outcome);
        return outcome;
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    /// <summary>The run of median time; the lost and duplicated counts of every run are in the tally.</summary>
    private static Outcome Median(List<Outcome> runs) => runs.OrderBy(r => r.Seconds).ElementAt(runs.Count / 2);

    private static double Time(Action action)
    {
        var watch = Stopwatch.StartNew();
        action();
        return watch.Elapsed.TotalSeconds;
    }

    private static void Line(string label, Outcome o, bool throughput = false) =>
        Console.WriteLine($"  {label,-17}: {o.Seconds,7:F2} s" + (throughput ? $"   {o.Count / o.Seconds,10:N0} msg/s" : "") +
            $"   lost {o.Lost}, duplicated {o.Duplicated}" + (o.Errors > 0 ? $", errors {o.Errors}" : ""));

    private static string Load()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ')[0];
        }
        catch (IOException)
        {
            return "unknown";
        }
        catch (UnauthorizedAccessException)
        {
            return "unknown";
        }
    }

    private static string Verdict(bool met) => met ? "met" : "MISSED";

    private static (int Messages, int? Window, int Repeat, bool Verbose) Parse(string[] args)
    {
        var messages = 100_000;
        var repeat = 3;
        int? window = null;
        var verbose = false;
        for (var i = 0; i < args.Length; i++)
        {
            int Number() => i + 1 < args.Length && int.TryParse(args[++i], NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0
                ? n
                : throw new ArgumentException($"{args[i]} needs a positive number.");
            switch (args[i])
            {
                case "--messages": messages = Number(); break;
                case "--window": window = Number(); break;
                case "--repeat": repeat = Number(); break;
                case "--verbose": verbose = true; break;
                default: throw new ArgumentException($"unknown option '{args[i]}'.");
            }
        }
        return (messages, window, repeat, verbose);
    }
}
