using Palm.Examples.Internal;
using Palm.Servers;

namespace Palm.Examples.Examples;

/// <summary>
/// pylm's gather: the master's gather sees the workers' results one at a time and, counting to 30 (the client's
/// <c>messages=30</c>), replaces the last one with "final message". Palm's <c>Gather</c> gets all the parts of one
/// message at once, in scatter order, and joins them; the end of the job needs no count.
/// </summary>
internal sealed class GatherExample : IExample
{
    private const int Messages = 10;
    private const int Parts = 3;
    private const string Separator = " + ";

    public string Name => "gather";
    public string Mirrors => "gather";
    public string Description => "scatter into three parts, then gather each message's three results into one (in scatter order)";

    public async Task<int> RunAsync(TextWriter output, CancellationToken cancellationToken)
    {
        await using var cluster = await ExampleClusters.StartAsync();
        await cluster.StartParallelAsync<MyServer>("server", workers: 2);
        var client = await cluster.ConnectAsync("server");

        await client.Cache("server").SetAsync(Utf8.Bytes(" cached data "), "cached", cancellationToken);
        output.WriteLine($"'{Utf8.Text(await client.Cache("server").GetAsync("cached", cancellationToken))}'");
        var results = await client.RunAllAsync(["server.foo"], Utf8.Repeat("a message", Messages), cancellationToken);
        foreach (var result in results) output.WriteLine(Utf8.Text(result));

        // Part i of every result is part i of its message: a gather gets the parts' results in scatter order.
        var parts = results.Select(r => Utf8.Text(r).Split(Separator)).ToArray();
        if (Expect.PerInput(output, results, Messages, 1) != 0) return 1;
        if (parts.FirstOrDefault(p => p.Length != Parts) is { } wrong)
        {
            output.WriteLine($"WRONG: a result of {wrong.Length} parts, not {Parts}");
            return 1;
        }
        return Enumerable.Range(0, Parts).Aggregate(0, (code, i) =>
            code | Expect.FromWorkers(output, parts.Select(p => p[i]), "", "server", $" cached data a message #{i}"));
    }

    private sealed class MyServer : ScatterGatherServer
    {
        // Part i of a message is the message and its index.
        protected override IEnumerable<byte[]> Scatter(ReadOnlyMemory<byte> message) =>
            Enumerable.Range(0, Parts).Select(i => Utf8.Bytes($"{Utf8.Text(message)} #{i}"));

        [PalmFunction("foo")]
        public async Task<byte[]> Foo(byte[] message, MessageContext context)
        {
            var worker = context.Instance;
            var data = await Cache.GetAsync("cached") ?? throw new KeyNotFoundException("Nothing is cached under 'cached'.");
            return Utf8.Bytes(worker + Utf8.Text(data) + Utf8.Text(message));
        }

        protected override IEnumerable<byte[]> Gather(ReadOnlyMemory<byte> message, IReadOnlyList<ReadOnlyMemory<byte>> results) =>
            [Utf8.Bytes(string.Join(Separator, results.Select(Utf8.Text)))];
    }
}
