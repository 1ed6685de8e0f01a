using Palm.Examples.Internal;
using Palm.Servers;

namespace Palm.Examples.Examples;

/// <summary>
/// pylm's cache: the client stores a value in a parallel server's cache, and every worker reads it while it works.
/// The cache is the leader's: clients and all workers see the same keys.
/// </summary>
internal sealed class CacheExample : IExample
{
    private const int Messages = 10;

    public string Name => "cache";
    public string Mirrors => "cache";
    public string Description => "the client caches a value on a parallel server; each worker reads it for every message";

    public async Task<int> RunAsync(TextWriter output, CancellationToken cancellationToken)
    {
        await using var cluster = await ExampleClusters.StartAsync();
        await cluster.StartParallelAsync<MyWorker>("server", workers: 2);
        var client = await cluster.ConnectAsync("server");

        var cache = client.Cache("server");
        await cache.SetAsync(Utf8.Bytes(" cached data "), "cached", cancellationToken);
        var cached = Utf8.Text(await cache.GetAsync("cached", cancellationToken));
        output.WriteLine($"'{cached}'");
        var results = await client.RunAllAsync(["server.foo"], Utf8.Repeat("a message", Messages), cancellationToken);
        foreach (var result in results) output.WriteLine(Utf8.Text(result));

        return Expect.Same(output, [" cached data "], [cached])
            | Expect.PerInput(output, results, Messages, 1)
            | Expect.FromWorkers(output, results.Select(Utf8.Text), "", "server", " cached data a message");
    }

    private sealed class MyWorker : ButterflyServer
    {
        [PalmFunction("foo")]
        public async Task<byte[]> Foo(byte[] message, MessageContext context)
        {
            var worker = context.Instance;
            var data = await Cache.GetAsync("cached") ?? throw new KeyNotFoundException("Nothing is cached under 'cached'.");
            return Utf8.Bytes(worker + Utf8.Text(data) + Utf8.Text(message));
        }
    }
}
