using Palm.Examples.Examples;

namespace Palm.Examples;

/// <summary>Every example, in the order <c>list</c> prints them (the order of docs/pylm-examples.md).</summary>
public static class ExampleList
{
    /// <summary>The examples, one per subcommand.</summary>
    public static IReadOnlyList<IExample> All { get; } =
    [
        new SingleExample(),
        new ParallelExample(),
        new CacheExample(),
        new ScatterExample(),
        new GatherExample(),
        new PipelineExample(),
        new ChainedSingleExample(),
        new MasterPipelineExample(),
        new ServerHubExample(),
        new MuxParallelExample(),
        new ErrorExample(),
        new PerfCountingExample(),
        new LoggingExample(),
        new TeeExample(),
        new StreamExample(),
        new StreamSinkExample(),
        new SinkExample(),
        new MergeExample(),
        new HttpExample(),
        new GatewayExample(),
        new TemplateExample(),
        new StandaloneHttpExample(),
    ];
}
