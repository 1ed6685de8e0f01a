using Palm.Examples.Internal;
using Palm.Servers;

namespace Palm.Examples.Examples;

/// <summary>
/// pylm's master_pipeline: a parallel server (master and workers) whose results go on to a serial pipeline server.
/// In Palm a parallel server stands in a route like any other: its leader forwards each worker's result.
/// </summary>
internal sealed class MasterPipelineExample : IExample
{
    private const int Messages = 10;

    public string Name => "master_pipeline";
    public string Mirrors => "master_pipeline";
    public string Description => "a pipeline after a parallel server: server.foo (leader + 2 workers), then my_pipeline.foo";

    public async Task<int> RunAsync(TextWriter output, CancellationToken cancellationToken)
    {
        await using var cluster = await ExampleClusters.StartAsync();
        await cluster.StartParallelAsync<MyWorker>("server", workers: 2);
        await cluster.StartServerAsync<MyPipeline>("my_pipeline");
        var client = await cluster.ConnectAsync("server", "my_pipeline");

        var results = await client.RunAllAsync(["server.foo", "my_pipeline.foo"], Utf8.Repeat("a message", Messages), cancellationToken);
        foreach (var result in results) output.WriteLine(Utf8.Text(result));
        return Expect.PerInput(output, results, Messages, 1)
            | Expect.FromWorkers(output, results.Select(Utf8.Text), "and I pipelined ", "server", " processed a message");
    }

    private sealed class MyWorker : ButterflyServer
    {
        [PalmFunction("foo")]
        public byte[] Foo(byte[] message, MessageContext context) => Utf8.Bytes($"{context.Instance} processed {Utf8.Text(message)}");
    }

    private sealed class MyPipeline : RegisteredServer
    {
        [PalmFunction("foo")]
        public byte[] Foo(byte[] message) => [.. "and I pipelined "u8, .. message];
    }
}
