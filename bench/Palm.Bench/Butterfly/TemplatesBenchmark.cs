using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using Akka.Configuration;
using Palm.Servers;

namespace Palm.Bench.Butterfly;

/// <summary>
/// The ReduceServer and ScatterGatherServer figures of issue 8, beside the butterfly's trivial function in the same run:
/// a reduce (sum) of 1,000,000 8-byte integers with 2 workers (msg/s, and its ratio to the trivial butterfly's msg/s), and
/// a scatter-gather of 10,000 inputs into 8 parts each. Every node is its own actor system on loopback; each result is
/// checked (the sum exactly, every gathered input once), and a wrong one makes the run fail.
/// </summary>
public static class TemplatesBenchmark
{
    private const int ScatterInputs = 10_000;
    private const int Parts = 8;

    /// <summary>Runs the figures; returns 0 when every result was right, 1 otherwise.</summary>
    /// <param name="args"><c>--messages N</c> (reduce and trivial figures, default 1,000,000), <c>--verbose</c>.</param>
    public static async Task<int> RunAsync(string[] args)
    {
        var (messages, verbose) = Parse(args);
        var config = ConfigurationFactory.ParseString(verbose ? "" : "akka.loglevel = OFF\nakka.stdout-loglevel = OFF\n");
        var exact = true;
        Console.WriteLine($"Palm ReduceServer and ScatterGatherServer benchmark: {Environment.ProcessorCount} cores, .NET {Environment.Version}; "
            + "each node its own actor system on loopback.");

        await using (var rig = await BenchRig.StartAsync(config, workerNodes: 2))
        {
            await rig.StartButterflyAsync<TrivialButterflyServer>("fly", 2);
            await rig.StartParallelAsync<SumBenchServer>("sum", 2);
            var small = new byte[8];
            // Warm-up: JIT, connections, worker windows.
            await rig.RunAsync("fly.same", 50_000, small);
            await SumAsync(rig, 50_000);

            Console.WriteLine();
            Console.WriteLine($"Reduce (sum) of {messages:N0} 8-byte integers, leader + 2 workers, beside a trivial butterfly function");
            var fly = await rig.RunAsync("fly.same", messages, small);
            var (seconds, sum) = await SumAsync(rig, messages);
            var expected = (long)messages * (messages + 1) / 2;
            exact &= fly.Lost == 0 && fly.Duplicated == 0 && fly.Errors == 0 && sum == expected;
            Console.WriteLine($"  butterfly trivial: {fly.Seconds,7:F2} s   {fly.Count / fly.Seconds,10:N0} msg/s   lost {fly.Lost}, duplicated {fly.Duplicated}");
            Console.WriteLine($"  reduce (sum)     : {seconds,7:F2} s   {messages / seconds,10:N0} msg/s   sum {sum:N0} ({(sum == expected ? "exact" : $"WRONG, expected {expected:N0}")})");
            Console.WriteLine($"  ratio            : {fly.Seconds / seconds:F2} of the butterfly's throughput");
        }

        await using (var rig = await BenchRig.StartAsync(config, workerNodes: 2))
        {
            await rig.StartParallelAsync<SplitBenchServer>("sg", 2);
            await ScatterAsync(rig, 1_000);
            Console.WriteLine();
            Console.WriteLine($"Scatter-gather of {ScatterInputs:N0} inputs into {Parts} parts each, leader + 2 workers");
            var (seconds, wrong) = await ScatterAsync(rig, ScatterInputs);
            exact &= wrong == 0;
            Console.WriteLine($"  scatter-gather   : {seconds,7:F2} s   {ScatterInputs / seconds,10:N0} inputs/s   {ScatterInputs * Parts / seconds,10:N0} parts/s   wrong or missing {wrong}");
        }
        return exact ? 0 : 1;
    }

    private static async Task<(double Seconds, long Sum)> SumAsync(BenchRig rig, int count)
    {
        static IEnumerable<byte[]> Values(int count)
        {
            for (var i = 1; i <= count; i++)
            {
                var bytes = new byte[8];
                BinaryPrimitives.WriteInt64LittleEndian(bytes, i);
                yield return bytes;
            }
        }
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var watch = Stopwatch.StartNew();
        long sum = 0;
        var results = 0;
        await foreach (var r in rig.Client.RunJob(["sum.add"], Values(count), cancellationToken: limit.Token))
        {
            results++;
            sum = r.IsError ? -1 : BinaryPrimitives.ReadInt64LittleEndian(r.Payload.Span);
        }
        return (watch.Elapsed.TotalSeconds, results == 1 ? sum : -1);
    }

    private static async Task<(double Seconds, int Wrong)> ScatterAsync(BenchRig rig, int count)
    {
        var input = new byte[Parts * 16];
        new Random(7).NextBytes(input);
        var seen = new int[count];
        var wrong = 0;
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var watch = Stopwatch.StartNew();
        await foreach (var r in rig.Client.RunJob(["sg.same"], Enumerable.Repeat(input, count), cancellationToken: limit.Token))
        {
            if (r.IsError || !r.Payload.Span.SequenceEqual(input)) wrong++;
            else seen[r.InputIndex]++;
        }
        var seconds = watch.Elapsed.TotalSeconds;
        return (seconds, wrong + seen.Count(s => s != 1));
    }

    private static (int Messages, bool Verbose) Parse(string[] args)
    {
        var messages = 1_000_000;
        var verbose = false;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--messages" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0:
                    messages = n;
                    i++;
                    break;
                case "--verbose": verbose = true; break;
                default: throw new ArgumentException($"unknown or incomplete option '{args[i]}'.");
            }
        }
        return (messages, verbose);
    }
}

/// <summary>Sums 8-byte integers: the map passes a value on, the leader adds.</summary>
public sealed class SumBenchServer : ReduceServer
{
    [PalmFunction("add")]
    public ReadOnlyMemory<byte> Add(ReadOnlyMemory<byte> value) => value;

    protected override byte[] Initial() => new byte[8];

    protected override byte[] Reduce(byte[] accumulator, ReadOnlyMemory<byte> partial)
    {
        BinaryPrimitives.WriteInt64LittleEndian(accumulator,
            BinaryPrimitives.ReadInt64LittleEndian(accumulator) + BinaryPrimitives.ReadInt64LittleEndian(partial.Span));
        return accumulator;
    }
}

/// <summary>Cuts a payload into 8 equal parts, returns each part as it is, and joins them again.</summary>
public sealed class SplitBenchServer : ScatterGatherServer
{
    [PalmFunction("same")]
    public ReadOnlyMemory<byte> Same(ReadOnlyMemory<byte> part) => part;

    protected override IEnumerable<byte[]> Scatter(ReadOnlyMemory<byte> message)
    {
        var size = message.Length / 8;
        for (var i = 0; i < 8; i++) yield return message.Slice(i * size, i == 7 ? message.Length - 7 * size : size).ToArray();
    }

    protected override IEnumerable<byte[]>? Gather(ReadOnlyMemory<byte> message, IReadOnlyList<ReadOnlyMemory<byte>> results)
    {
        var joined = new byte[results.Sum(r => r.Length)];
        var at = 0;
        foreach (var r in results)
        {
            r.Span.CopyTo(joined.AsSpan(at));
            at += r.Length;
        }
        return [joined];
    }
}
