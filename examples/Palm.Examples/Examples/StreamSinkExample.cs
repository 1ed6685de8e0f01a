using Palm.Client;
using Palm.Examples.Internal;
using Palm.Servers;

namespace Palm.Examples.Examples;

/// <summary>
/// pylm's stream_sink: the odd/even split of <c>stream</c>, each half through a pipeline server of its own, and a
/// <c>Sink</c> subscribed to both that answers the client. In Palm the branches join at a <c>SinkServer</c>, which also
/// knows when both branches are complete and then emits a summary of the job: their totals, in one result.
/// </summary>
internal sealed class StreamSinkExample : IExample
{
    private const int Messages = 10;

    public string Name => "stream_sink";
    public string Mirrors => "stream_sink";
    public string Description => "the odd/even split, each half through its own server, joined again at a sink that sums up both";

    public async Task<int> RunAsync(TextWriter output, CancellationToken cancellationToken)
    {
        await using var cluster = await ExampleClusters.StartAsync();
        await cluster.StartServerAsync<MyServer>("my_server");
        await cluster.StartServerAsync<MyPipeline>("even");
        await cluster.StartServerAsync<MyPipeline>("odd");
        await cluster.StartServerAsync<MySink>("my_sink");
        var client = await cluster.ConnectAsync("my_server", "even", "odd", "my_sink");

        var route = JobRoute.Of("my_server.foo").Branch("even", "even.foo").Branch("odd", "odd.foo").Join("my_sink.foo");
        var results = await client.RunAllAsync(route, Utf8.Repeat("a message", Messages), cancellationToken);
        var lines = results.Select(r => $"Client got: {Utf8.Text(r)}").ToArray();
        foreach (var line in lines) output.WriteLine(line);
        return Expect.Same(output,
            [
                .. Enumerable.Repeat("Client got: and gathered and I pipelined you sent me a message", Messages),
                $"Client got: summary: even {Messages / 2}, odd {Messages / 2}; every branch complete",
            ],
            lines);
    }

    private sealed class MyServer : RegisteredServer
    {
        [PalmFunction("foo")]
        public byte[] Foo(byte[] message) => [.. "you sent me "u8, .. message];

        protected override NextHop OnOutput(MessageContext message, ReadOnlyMemory<byte> output) =>
            NextHop.Branch(message.InputIndex % 2 == 0 ? "even" : "odd");
    }

    private sealed class MyPipeline : RegisteredServer
    {
        [PalmFunction("foo")]
        public byte[] Foo(byte[] message) => [.. "and I pipelined "u8, .. message];
    }

    private sealed class MySink : SinkServer
    {
        [PalmFunction("foo")]
        public byte[] Foo(byte[] message) => [.. "and gathered "u8, .. message];

        // Sees each output before it goes on: a job's running count per branch.
        protected override void Collect(MessageContext message, ReadOnlyMemory<byte> output)
        {
            var counts = StateOf<Dictionary<string, int>>(message.JobId);
            counts[message.Branch ?? "none"] = counts.GetValueOrDefault(message.Branch ?? "none") + 1;
        }

        // Called once both branches are complete for the job, known from completion weights, never from a count.
        protected override IEnumerable<byte[]> OnUpstreamsComplete(Guid jobId)
        {
            var counts = StateOf<Dictionary<string, int>>(jobId);
            return [Utf8.Bytes($"summary: {string.Join(", ", counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key} {c.Value}"))}; every branch complete")];
        }
    }
}
