using System.Globalization;
using System.Runtime.InteropServices;
using Palm.Bench.Common;
using Palm.Bench.EndToEnd;
using Palm.Client;

namespace Palm.Bench.Shapes;

/// <summary>
/// The <c>shapes</c> group (issue 19): the stream shapes of <see cref="JobRoute"/> and <see cref="Palm.Servers.SourceServer"/>
/// beside a plain route of the same trivial functions, in one cluster and one run. A plain route <c>a -> b</c>, a tee
/// <c>a -> {b | c}</c> (two results per input), a split <c>s -> {b | c}</c> (a hook sends odd inputs one way, even the other)
/// and a generator (one seed, N messages yielded by a source through <c>b</c>), each as messages per second and as a ratio
/// to the plain route; for the generator also the process's working set and GC heap as it runs, to show that the window,
/// not N, bounds memory. Every result is checked (sequence number, branch), as in the other groups.
/// </summary>
public static class ShapesBenchmark
{
    private const int Size = CountingSourceServer.PayloadSize;
    private const long DefaultGenerate = 10_000_000;

    /// <summary>One figure's route, the results each input gives, and how a result is checked into the delivery count.</summary>
    private sealed record Shape(string Name, string Route, int ResultsPerInput,
        Func<PalmClient, IEnumerable<byte[]>, CancellationToken, IAsyncEnumerable<JobResult>> Run, Action<Delivery, JobResult> Check);

    /// <summary>Runs the selected figures; returns 0 when every result of every run arrived exactly once, intact and in its branch.</summary>
    /// <param name="args">The <see cref="BenchOptions"/> flags (<c>--messages</c>: inputs per timed run, default 500,000), and <c>--generate N</c>.</param>
    public static async Task<int> RunAsync(string[] args)
    {
        var o = BenchOptions.Parse(args, defaultMessages: 500_000);
        var generate = ParseGenerate(o.Rest);
        Console.WriteLine($"palm-bench shapes: {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, .NET {Environment.Version}, "
            + $"{o.Messages:N0} inputs of {Size} B per run, median of {o.Repeat}, warm-up {o.Warmup.TotalSeconds:F0} s per shape, generator {generate:N0} messages");
        Report.Note("every node and client is its own actor system in this one process, talking over loopback TCP; each server on a node of its own");

        await using var palm = await PalmPipeline.StartAsync(["a", "b", "c"]);
        await palm.StartServerAsync<ParitySplitServer>("s");
        await palm.StartServerAsync<CountingSourceServer>("g");

        var shapes = Shapes().Where(s => o.Runs(s.Name)).ToArray();
        var warm = Math.Min(o.Messages / 10, 100_000);
        foreach (var shape in shapes) await EndToEndSuite.Warm(o, () => Measure(palm, shape, warm));

        // Round robin over the shapes, so that each sees the same machine (the load of other builds comes and goes).
        var runs = shapes.ToDictionary(s => s, _ => new List<Measurement>());
        for (var i = 0; i < o.Repeat; i++)
        {
            foreach (var shape in shapes)
            {
                runs[shape].Add(await Measure(palm, shape, o.Messages));
                EndToEndSuite.Collect();
            }
        }
        var exact = true;
        var plain = shapes.FirstOrDefault(s => s.Name == "plain") is { } p ? Measurement.Median(runs[p]).Value : (double?)null;
        Console.WriteLine();
        Console.WriteLine($"{"shape",-10} {"route",-48} {"inputs/s",12} {"results/s",12} {"per input",10} {"per result",10}  delivery");
        foreach (var shape in shapes)
        {
            var m = Measurement.Median(runs[shape]);
            var costs = runs[shape].OrderBy(r => r.Value).ElementAt(runs[shape].Count / 2).Note;
            exact &= m.Delivery.Exact;
            var results = m.Value * shape.ResultsPerInput;
            Console.WriteLine($"{shape.Name,-10} {shape.Route,-48} {Report.Format(m.Value),12} {Report.Format(results),12} "
                + $"{Ratio(m.Value, plain),10} {Ratio(results, plain),10}  {m.Delivery}"
                + (shape.Name == "tee" && m.Value < 0.4 * plain ? "  (below 40% of the plain route per input)" : ""));
            Report.Note($"{shape.Name}: runs {string.Join(", ", runs[shape].Select(r => Report.Format(r.Value)))} inputs/s; median run {costs} (the whole process)");
        }

        if (o.Runs("generator")) exact &= await Generator(palm, o, generate, plain);
        Console.WriteLine(exact ? "delivery: every message arrived exactly once in every run" : "delivery: FAILED");
        return exact ? 0 : 1;
    }

    private static IEnumerable<Shape> Shapes()
    {
        yield return new Shape("plain", "a.pass -> b.pass", 1,
            (client, inputs, cancel) => client.RunJob(["a.pass", "b.pass"], inputs, cancellationToken: cancel),
            (d, r) => d.Arrived(r.InputIndex, r.Payload.Span));

        var tee = JobRoute.Of("a.pass").Branch("x", "b.pass").Branch("y", "c.pass");
        yield return new Shape("tee", tee.ToString(), 2,
            (client, inputs, cancel) => client.RunJob(tee, inputs, cancellationToken: cancel),
            // Two results per input: x's at 2i, y's at 2i + 1.
            (d, r) => d.Arrived(2 * r.InputIndex + (r.Branch == "y" ? 1 : 0),
                r.Branch is "x" or "y" && Delivery.SeqOf(r.Payload.Span) == r.InputIndex));

        var split = JobRoute.Of("s.pass").Branch("odd", "b.pass").Branch("even", "c.pass");
        yield return new Shape("split", split + " (hook)", 1,
            (client, inputs, cancel) => client.RunJob(split, inputs, cancellationToken: cancel),
            (d, r) => d.Arrived(r.InputIndex,
                r.Branch == (r.InputIndex % 2 == 1 ? "odd" : "even") && Delivery.SeqOf(r.Payload.Span) == r.InputIndex));
    }

    /// <summary>
    /// One job of <paramref name="count"/> inputs along <paramref name="shape"/>; the value is inputs per second, the note the
    /// process's CPU time and allocation per input (every node and the client), which the load of other builds sways less.
    /// </summary>
    private static async Task<Measurement> Measure(PalmPipeline palm, Shape shape, long count)
    {
        var cost = Cost.Start();
        var m = await PalmPipeline.MeasureAsync(new Delivery(count * shape.ResultsPerInput), count, EndToEndSuite.Stall, async (delivery, cancel) =>
        {
            await foreach (var r in shape.Run(palm.Client, PalmPipeline.Inputs(count, Size), cancel).ConfigureAwait(false))
            {
                if (r.IsError) delivery.Error();
                else shape.Check(delivery, r);
            }
        });
        return m with { Note = cost.PerInput(count) };
    }

    /// <summary>CPU time and bytes allocated by this process since <see cref="Start"/>.</summary>
    private readonly record struct Cost(TimeSpan Cpu, long Allocated)
    {
        public static Cost Start() => new(Environment.CpuUsage.TotalTime, GC.GetTotalAllocatedBytes());

        public string PerInput(long count)
        {
            var cpu = (Environment.CpuUsage.TotalTime - Cpu).TotalMicroseconds / count;
            return $"{cpu:F1} us CPU, {(GC.GetTotalAllocatedBytes() - Allocated) / (double)count:N0} B allocated per input";
        }
    }

    /// <summary>The generator figure: msg/s of one seed's <paramref name="count"/> messages, and the memory of the process meanwhile.</summary>
    private static async Task<bool> Generator(PalmPipeline palm, BenchOptions o, long count, double? plain)
    {
        await EndToEndSuite.Warm(o, () => Generate(palm, Math.Min(count / 10, 200_000), null));
        EndToEndSuite.Collect();
        var before = MemorySample.Now();
        var marks = new[] { 0.1, 0.5, 1.0 }.Select(f => (Fraction: f, At: Math.Max(1, (long)(count * f)))).ToArray();
        var atMarks = new MemorySample?[marks.Length];
        // The heap as sampled holds garbage not yet collected (more of it promoted when the load of other builds stalls a
        // thread); the live heap after a full collection at each mark is what would grow if anything kept every message.
        var live = new long[marks.Length];
        Measurement m;
        MemorySample peak;
        var cost = Cost.Start();
        await using (var sampler = MemorySampler.Start(TimeSpan.FromMilliseconds(100)))
        {
            m = await Generate(palm, count, received =>
            {
                for (var i = 0; i < marks.Length; i++)
                    if (received == marks[i].At) (atMarks[i], live[i]) = (MemorySample.Now(), GC.GetTotalMemory(forceFullCollection: true));
            });
            peak = atMarks.OfType<MemorySample>().Aggregate(sampler.Peak, MemorySample.Max);
        }
        var costs = cost.PerInput(count);

        Console.WriteLine();
        Console.WriteLine($"{"generator",-10} {$"g.count -> b.pass, 1 seed, {count:N0} x {Size} B",-48} {"-",12} {Report.Format(m.Value),12} "
            + $"{"-",10} {Ratio(m.Value, plain),10}  {m.Delivery}");
        Report.Note($"generator: {costs.Replace("per input", "per message")} (the whole process)");
        Console.WriteLine($"  generator memory (this process: every node and the client), before the run, after a full GC: {before}");
        for (var i = 0; i < marks.Length; i++)
            Console.WriteLine($"  at {marks[i].Fraction * 100,3:F0}% of the messages ({marks[i].At,12:N0} read): {atMarks[i]?.ToString() ?? "not reached"}, live heap after a full GC {live[i] / (1024.0 * 1024.0),4:F0} MB");
        Console.WriteLine($"  peak while it ran (sampled every 100 ms and at the marks above): {peak}");
        return m.Delivery.Exact;
    }

    /// <summary>One job of one seed: the source yields <paramref name="count"/> messages through <c>b.pass</c>; the value is messages per second.</summary>
    private static Task<Measurement> Generate(PalmPipeline palm, long count, Action<long>? onReceived) =>
        PalmPipeline.MeasureAsync(new Delivery(count), count, EndToEndSuite.Stall, async (delivery, cancel) =>
        {
            var seed = new byte[8];
            System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(seed, count);
            await foreach (var r in palm.Client.RunJob(["g.count", "b.pass"], [seed], cancellationToken: cancel).ConfigureAwait(false))
            {
                // A generated message has an input index of its own (negative); its payload carries its number.
                if (r.IsError) delivery.Error();
                else delivery.Arrived(Delivery.SeqOf(r.Payload.Span), r.InputIndex < 0 && r.Payload.Length == Size);
                onReceived?.Invoke(delivery.Received);
            }
        });

    private static string Ratio(double value, double? plain) => plain is > 0 ? $"{value / plain.Value:F2}x" : "-";

    private static long ParseGenerate(IReadOnlyList<string> rest)
    {
        var generate = DefaultGenerate;
        for (var i = 0; i < rest.Count; i++)
        {
            if (rest[i] == "--generate" && i + 1 < rest.Count
                && long.TryParse(rest[i + 1].Replace("_", "").Replace(",", ""), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= 1000)
            {
                generate = n;
                i++;
            }
            else throw new ArgumentException(rest[i] == "--generate" ? "--generate needs a number >= 1000." : $"unknown option '{rest[i]}'.");
        }
        return generate;
    }
}
