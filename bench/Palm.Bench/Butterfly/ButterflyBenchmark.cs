using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using Akka.Configuration;
using Palm.Templates.Parallel;

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

    /// <summary>Nothing is timed before this much time has passed in the process, nor before each figure's own warm-up.</summary>
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan FigureWarmUp = TimeSpan.FromSeconds(2);

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
        var tally = new Tally();
        var small = new byte[100];
        new Random(42).NextBytes(small);

        Console.WriteLine($"Palm ButterflyServer benchmark: {Environment.ProcessorCount} cores, .NET {Environment.Version}, " +
            $"worker-window {ParallelSettings.Create(config).WorkerWindow}; each node its own actor system on loopback, a cluster per figure.");

        await using (var rig = await BenchRig.StartAsync(config, workerNodes: 6))
        {
            await rig.StartButterflyAsync<WaitServer>("io1", 1);
            await rig.StartButterflyAsync<WaitServer>("io6", 6);
            await WarmUpAsync(clock, async () =>
            {
                await rig.RunAsync("io6.wait", 60, small);
                await rig.RunAsync("io1.wait", 10, small);
            });
            Console.WriteLine();
            Console.WriteLine($"I/O-bound step (each call waits 20 ms), {IoMessages} messages");
            var io1 = await rig.RunAsync("io1.wait", IoMessages, small, tally);
            var io6 = await rig.RunAsync("io6.wait", IoMessages, small, tally);
            var speedup = io1.Seconds / io6.Seconds;
            Line("1 worker", io1);
            Line("6 workers", io6);
            Console.WriteLine($"  speedup          : {speedup:F2}x   (target >= 5.5x: {Verdict(speedup >= 5.5)})");
        }

        await using (var rig = await BenchRig.StartAsync(config, workerNodes: 2))
        {
            await rig.StartButterflyAsync<BurnServer>("cpu1", 1);
            await rig.StartButterflyAsync<BurnServer>("cpu2", 2);
            var iterations = CpuWork.Calibrate(CpuCost);
            var burn = new byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(burn, iterations);
            // Parallel.For gets as many threads as Palm has workers (one per core), so both get the same share of a busy machine.
            var cores = new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount };
            // Results are kept, as Palm's are sent back, so that the compiler cannot drop the work.
            var sums = new double[CpuMessages];
            await WarmUpAsync(clock, async () =>
            {
                await rig.RunAsync("cpu2.burn", 10, burn);
                await rig.RunAsync("cpu1.burn", 5, burn);
                Parallel.For(0, 10, cores, i => sums[i] = CpuWork.Burn(iterations));
            });

            Console.WriteLine();
            Console.WriteLine($"CPU-bound step (~{CpuCost.TotalMilliseconds:F0} ms of computation per message, {iterations:N0} iterations), " +
                $"{CpuMessages} messages, median of {repeat} interleaved rounds");
            var (sequential, parallel, cpu1s, cpu2s) = (new List<double>(), new List<double>(), new List<Outcome>(), new List<Outcome>());
            for (var round = 0; round < repeat; round++)
            {
                sequential.Add(Time(() =>
                {
                    for (var i = 0; i < CpuMessages; i++) sums[i] = CpuWork.Burn(iterations);
                }));
                parallel.Add(Time(() => Parallel.For(0, CpuMessages, cores, i => sums[i] = CpuWork.Burn(iterations))));
                cpu1s.Add(await rig.RunAsync("cpu1.burn", CpuMessages, burn, tally));
                cpu2s.Add(await rig.RunAsync("cpu2.burn", CpuMessages, burn, tally));
            }
            if (sums.Any(double.IsNaN)) throw new InvalidOperationException("The CPU work computed NaN.");
            var (cpu1, cpu2) = (Outcome.Median(cpu1s), Outcome.Median(cpu2s));
            var ceiling = Median(sequential) / Median(parallel);
            var palm = cpu1.Seconds / cpu2.Seconds;
            Console.WriteLine($"  plain for loop   : {Median(sequential),7:F2} s");
            Console.WriteLine($"  Parallel.For     : {Median(parallel),7:F2} s   speedup {ceiling:F2}x (the machine's ceiling, {Environment.ProcessorCount} threads)");
            Line("Palm 1 worker", cpu1);
            Line("Palm 2 workers", cpu2);
            Console.WriteLine($"  Palm speedup     : {palm:F2}x = {palm / ceiling:F2} of Parallel.For's   (target >= 0.9: {Verdict(palm / ceiling >= 0.9)})");
        }

        await using (var rig = await BenchRig.StartAsync(config, workerNodes: 2))
        {
            await rig.StartButterflyAsync<TrivialButterflyServer>("fly", 2);
            await rig.StartSerialAsync<TrivialSerialServer>("reg");
            await WarmUpAsync(clock, async () =>
            {
                await rig.RunAsync("fly.same", 20_000, small);
                await rig.RunAsync("reg.same", 20_000, small);
            });
            Console.WriteLine();
            Console.WriteLine($"Trivial function, {messages:N0} messages of {small.Length} bytes, median of {repeat} interleaved rounds");
            var (regs, flies) = (new List<Outcome>(), new List<Outcome>());
            for (var round = 0; round < repeat; round++)
            {
                regs.Add(await rig.RunAsync("reg.same", messages, small, tally));
                flies.Add(await rig.RunAsync("fly.same", messages, small, tally));
            }
            var (reg, fly) = (Outcome.Median(regs), Outcome.Median(flies));
            Line("RegisteredServer", reg, throughput: true);
            Line("leader + 2 workers", fly, throughput: true);
            Console.WriteLine($"  ratio            : {reg.Seconds / fly.Seconds:F2} of the serial server's throughput (each message makes two more hops)");
        }

        Console.WriteLine();
        Console.WriteLine($"Machine load (1-minute average) at start {startLoad}, at end {Load()}: other processes share these cores, so compare figures from quiet runs.");
        Console.WriteLine($"Results: {tally.Messages:N0} inputs in timed runs, {tally.Lost} lost, {tally.Duplicated} duplicated, {tally.Errors} errors.");
        return tally.Exact ? 0 : 1;
    }

    /// <summary>Untimed passes (JIT tiering, connections, worker windows) for at least <see cref="FigureWarmUp"/>, and until <see cref="WarmUp"/> has passed in the process.</summary>
    private static async Task WarmUpAsync(Stopwatch clock, Func<Task> pass)
    {
        var watch = Stopwatch.StartNew();
        do await pass();
        while (watch.Elapsed < FigureWarmUp || clock.Elapsed < WarmUp);
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private static double Time(Action action)
    {
        var watch = Stopwatch.StartNew();
        action();
        return watch.Elapsed.TotalSeconds;
    }

    private static void Line(string label, Outcome o, bool throughput = false) =>
        Console.WriteLine($"  {label,-17}: {o.Seconds,7:F2} s" + (throughput ? $"   {o.Count / o.Seconds,10:N0} msg/s" : "") +
            $"   lost {o.Lost}, duplicated {o.Duplicated}" + (o.Errors > 0 ? $", errors {o.Errors}" : ""));

    private static string Verdict(bool met) => met ? "met" : "MISSED";

    private static string Load()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ')[0];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "unknown";
        }
    }

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
