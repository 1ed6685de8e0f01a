using Palm.Examples.Internal;
using Palm.Servers;

namespace Palm.Examples.Examples;

/// <summary>
/// pylm's mux_parallel: a worker function that yields two results per message (pylm's <c>MuxWorker</c>). In Palm any
/// function may return several payloads (an <c>IEnumerable</c>), and the job still ends by itself when all are in.
/// </summary>
internal sealed class MuxParallelExample : IExample
{
    private const int Messages = 10;

    public string Name => "mux_parallel";
    public string Mirrors => "mux_parallel";
    public string Description => "parallel workers whose function yields two results per message: 20 results from 10 inputs";

    public async Task<int> RunAsync(TextWriter output, CancellationToken cancellationToken)
    {
        await using var cluster = await ExampleClusters.StartAsync();
        await cluster.StartParallelAsync<MyWorker>("server", workers: 2);
        var client = await cluster.ConnectAsync("server");

        var results = await client.RunAllAsync(["server.foo"], Utf8.Repeat("a message", Messages), cancellationToken);
        foreach (var result in results) output.WriteLine(Utf8.Text(result));
        output.WriteLine($"{results.Count} results from {Messages} inputs: the job ended by itself");

        var lines = results.Select(Utf8.Text).ToArray();
        return Expect.PerInput(output, results, Messages, 2)
            | Expect.FromWorkers(output, lines.Where(l => !l.EndsWith(" 2", StringComparison.Ordinal)), "", "server", " processed a message 1")
            | Expect.FromWorkers(output, lines.Where(l => l.EndsWith(" 2", StringComparison.Ordinal)), "", "server", " processed a message 2");
    }

    private sealed class MyWorker : ButterflyServer
    {
        [PalmFunction("foo")]
        public IEnumerable<byte[]> Foo(byte[] message, MessageContext context)
        {
            var processed = $"{context.Instance} processed {Utf8.Text(message)}";
            return [Utf8.Bytes(processed + " 1"), Utf8.Bytes(processed + " 2")];
        }
    }
}
