using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Palm.Bench.Micro;

/// <summary>The <c>micro</c> group: BenchmarkDotNet with a short job, in process, with allocations.</summary>
public static class MicroSuite
{
    /// <summary>Runs the micro-benchmarks; <paramref name="args"/> go to BenchmarkDotNet (e.g. <c>--filter *Serializer*</c>).</summary>
    public static int Run(string[] args)
    {
        var config = ManualConfig.CreateEmpty()
            .AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance))
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .AddLogger(ConsoleLogger.Default)
            .AddExporter(MarkdownExporter.GitHub)
            .WithOptions(ConfigOptions.JoinSummary);
        var switcher = BenchmarkSwitcher.FromTypes([typeof(SerializerBenchmarks), typeof(DispatchBenchmarks)]);
        var summaries = switcher.Run(args.Length == 0 ? ["--filter", "*"] : args, config);
        return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
    }
}
