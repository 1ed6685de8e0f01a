using Palm.Examples.Internal;
using Palm.Servers;

namespace Palm.Examples.Examples;

/// <summary>
/// pylm's scatter: the master turns each message into three for its workers, and every result goes to the client.
/// pylm's client must say how many results to wait for (<c>messages=30</c>); Palm's job ends when the last is in.
/// </summary>
internal sealed class ScatterExample : IExample
{
    private const int Messages = 10;
    private const int Copies = 3;

    public string Name => "scatter";
    public string Mirrors => "scatter";
    public string Description => "the leader scatters each message into three parts for its workers; 30 results from 10 inputs";

    public async Task<int> RunAsync(TextWriter output, CancellationToken cancellationToken)
    {
        await using var cluster = await ExampleClusters.StartAsync();
        await cluster.StartParallelAsync<MyServer>("server", workers: 2);
        var client = await cluster.ConnectAsync("server");

        await client.Cache("server").SetAsync(Utf8.Bytes(" cached data "), "cached", cancellationToken);
        output.WriteLine($"'{Utf8.Text(await client.Cache("server").GetAsync("cached", cancellationToken))}'");
        var results = await client.RunAllAsync(["server.foo"], Utf8.Repeat("a message", Messages), cancellationToken);
        foreach (var result in results) output.WriteLine(Utf8.Text(result));
        output.WriteLine($"{results.Count} results from {Messages} inputs: the job ended by itself");

        return Expect.PerInput(output, results, Messages, Copies)
            | Expect.FromWorkers(output, results.Select(Utf8.Text), "", "server", " cached data a message");
    }

    private sealed class MyServer : ScatterGatherServer
    {
        protected override IEnumerable<byte[]> Scatter(ReadOnlyMemory<byte> message) => Enumerable.Repeat(message.ToArray(), Copies);

        [PalmFunction("foo")]
        public async Task<byte[]> Foo(byte[] message, MessageContext context)
        {
            var worker = context.Instance;
            var data = await Cache.GetAsync("cached") ?? throw new KeyNotFoundException("Nothing is cached under 'cached'.");
            return Utf8.Bytes(worker + Utf8.Text(data) + Utf8.Text(message));
        }

        // Every part's result goes on as a result of its own.
        protected override IEnumerable<byte[]> Gather(ReadOnlyMemory<byte> message, IReadOnlyList<ReadOnlyMemory<byte>> results) =>
            results.Select(r => r.ToArray());
    }
}
