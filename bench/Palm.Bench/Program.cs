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
              butterfly  ButterflyServer: I/O-bound 1 vs 6 workers, CPU-bound 1 vs 2 workers beside Parallel.For,
                         trivial function through leader + 2 workers beside a RegisteredServer
                         --messages N   messages of the trivial-function figure (default 100,000)
                         --repeat N     rounds of the CPU-bound and trivial figures, the median is printed (default 3)
                         --window N     palm.butterfly.worker-window for this run
            """;

        /// <summary>Runs the group named by <paramref name="args"/>[0]; returns the exit code.</summary>
        public static async Task<int> MainAsync(string[] args)
        {
            var rest = args.Length > 0 ? args[1..] : [];
            try
            {
                switch (args.FirstOrDefault())
                {
                    case "butterfly": return await Butterfly.ButterflyBenchmark.RunAsync(rest);
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
