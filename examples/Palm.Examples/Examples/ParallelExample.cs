using Palm.Examples.Internal;
using Palm.Servers;

namespace Palm.Examples.Examples;

/// <summary>
/// pylm's parallel (and standalone_parallel): a master spreads a job's messages over its workers. In Palm the same
/// class runs as the leader and as each worker; the client gives no message count, the job ends by itself.
/// </summary>
internal sealed class ParallelExample : IExample
{
    private const int Workers = 2;
    private const int Messages = 10;

    public string Name => "parallel";
    public string Mirrors => "parallel, standalone_parallel";
    public string Description => "a parallel server: the leader spreads ten messages over two workers";

    public async Task<int> RunAsync(TextWriter output, CancellationToken cancellationToken)
    {
        await using var cluster = await ExampleClusters.StartAsync();
        await cluster.StartParallelAsync<MyWorker>("server", Workers);
        var client = await cluster.ConnectAsync("server");

        var results = await client.RunAllAsync(["server.foo"], Utf8.Repeat("a message", Messages), cancellationToken);
        foreach (var result in results) output.WriteLine(Utf8.Text(result));
        return Expect.PerInput(output, results, Messages, 1)
            | Expect.FromWorkers(output, results.Select(Utf8.Text), "", "server", " processed a message");
    }

    private sealed class MyWorker : ButterflyServer
    {
        [PalmFunction("foo")]
        public byte[] Foo(byte[] message, MessageContext context) => Utf8.Bytes($"{context.Instance} processed {Utf8.Text(message)}");
    }
}
