using Palm.Bench.Common;

// dotnet run -c Release --project bench/Palm.Bench -- <group> [options]
// Each group is one entry of the switch below: add a group by adding a case.
return await Palm.Bench.BenchProgram.MainAsync(args);

namespace Palm.Bench
{
    /// <summary>Dispatches on the first argument to one benchmark group.</summary>
    public static class BenchProgram
    {
        private const string Usage = """
            usage: Palm.Bench <group> [options]
              e2e      end-to-end Palm scenarios beside plain Akka.NET baselines, one line per figure with the ratio
                       --messages N   messages of the chain scenario (default 1,000,000; others scale with it)
                       --repeat N     timed runs per throughput figure, the median is printed (default 3)
                       --warmup S     seconds of untimed warm-up per scenario (default 5)
                       --only NAME    run only figures whose name contains NAME (chain, eval, 64k, one-way)
                       --palm-hocon H extra HOCON for every Palm node and client (to try settings)
                       --tls          chain, eval and 64k with Palm's mutual TLS on every port (certificates made
                                      on the fly), beside plain Akka and beside Palm, both without TLS
                       --verbose      keep Akka's own log lines (off by default: teardown noise)
              memory   10,000,000 messages through three servers (each node its own OS process), slow last step,
                       peak working set per node  (--messages N, --slow-us U)
              micro    BenchmarkDotNet micro-benchmarks of the serializer and the dispatch path (short job)
                       other arguments go to BenchmarkDotNet (e.g. --filter *Serializer*)
              node     (internal) one Palm node in this process, started by the memory group
              butterfly  ButterflyServer: I/O-bound 1 vs 6 workers, CPU-bound 1 vs 2 workers beside Parallel.For,
                       trivial function through leader + 2 workers beside a RegisteredServer
                       --messages N   messages of the trivial-function figure (default 100,000)
                       --repeat N     rounds of the CPU-bound and trivial figures, the median is printed (default 3)
                       --window N     palm.butterfly.worker-window for this run
              templates  ReduceServer: sum of 1,000,000 8-byte integers over 2 workers (msg/s, ratio to a trivial
                       butterfly function in the same run); ScatterGatherServer: 10,000 inputs into 8 parts each
                       --messages N   messages of the reduce and trivial figures (default 1,000,000)
              shapes   stream shapes beside a plain route a.pass -> b.pass of the same trivial functions, in one cluster:
                       a tee a -> {b | c}, a split s -> {b | c} (a hook sends odd to one branch, even to the other), msg/s per
                       input and per result and the ratio of each to the plain route; and a generator (a SourceServer yielding
                       N messages from one seed through b): msg/s, and this process's working set and GC heap as it runs
                       --messages N   inputs per timed run of plain, tee and split (default 500,000)
                       --generate N   messages the generator yields (default 10,000,000)
                       --repeat N, --warmup S, --only NAME (plain, tee, split, generator), --palm-hocon H, --verbose as e2e
              concurrency  an async step of await Task.Delay(20) on 1 butterfly worker, MaxConcurrency 64 vs 1
                       (msg/s of both and the ratio)  (--messages N: of the 64-call figure, default 6,400)
              gateway  the HTTP gateway beside the .NET client, same cluster and run: eval round trip (median, p99) and
                       streamed job throughput (upload-first HttpClient, length-prefixed frames)
                       --evals N (default 2,000)  --messages N (default 1,000,000)  --repeat N (default 3)  --warmup S (default 5)
              soak     client -> a -> farm (butterfly) for minutes while workers are killed, replaced and paused and 0.5%
                       of envelopes are dropped, duplicated, delayed and reordered; prints msg/s every 10 s, then
                       lost and duplicated (both must be 0)  (--minutes M, --workers N, --work-us U)
              soak-node  (internal) one node of the soak, started by the soak group
            """;

        /// <summary>Runs the group named by <paramref name="args"/>[0]; returns the exit code.</summary>
        public static async Task<int> MainAsync(string[] args)
        {
            var rest = args.Length > 0 ? args[1..] : [];
            try
            {
                switch (args.FirstOrDefault())
                {
                    case "e2e": return await EndToEnd.EndToEndSuite.RunAsync(BenchOptions.Parse(rest));
                    case "memory": return await EndToEnd.MemoryScenario.RunAsync(BenchOptions.Parse(rest, defaultMessages: 10_000_000));
                    case "node": return await EndToEnd.MemoryNode.RunAsync(rest);
                    case "micro": return Micro.MicroSuite.Run(rest);
                    case "butterfly": return await Butterfly.ButterflyBenchmark.RunAsync(rest);
                    case "templates": return await Butterfly.TemplatesBenchmark.RunAsync(rest);
                    case "shapes": return await Shapes.ShapesBenchmark.RunAsync(rest);
                    case "concurrency": return await Butterfly.ConcurrencyBenchmark.RunAsync(rest);
                    case "gateway": return await Gateway.GatewayBenchmark.RunAsync(rest);
                    case "soak": return await Soak.SoakScenario.RunAsync(rest);
                    case "soak-node": return await Soak.SoakNode.RunAsync(rest);
                    default:
                        Console.Error.WriteLine(Usage);
                        return 2;
                }
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"palm-bench: {e.Message}");
                Console.Error.WriteLine(Usage);
                return 2;
            }
        }
    }
}
