using Palm.Examples.Internal;
using Palm.Servers;

namespace Palm.Examples.Examples;

/// <summary>
/// pylm's sink: a <c>Sink</c> subscribed to one server, answering the client. A Palm <c>SinkServer</c> stands on a plain
/// route too; beside its function's results it knows when everything before its step is complete for a job, and may
/// then emit a summary.
/// </summary>
internal sealed class SinkExample : IExample
{
    public string Name => "sink";
    public string Mirrors => "sink";
    public string Description => "a sink after a server: its function's result, then its summary once the job is complete upstream";

    public async Task<int> RunAsync(TextWriter output, CancellationToken cancellationToken)
    {
        await using var cluster = await ExampleClusters.StartAsync();
        await cluster.StartServerAsync<MyServer>("my_server");
        await cluster.StartServerAsync<MySink>("my_pipeline");
        var client = await cluster.ConnectAsync("my_server", "my_pipeline");

        var results = await client.RunAllAsync(["my_server.foo", "my_pipeline.foo"], [Utf8.Bytes("a message")], cancellationToken);
        var lines = results.Select(r => $"Client got: {Utf8.Text(r)}").ToArray();
        foreach (var line in lines) output.WriteLine(line);
        return Expect.Same(output, ["Client got: and I pipelined you sent me a message", "Client got: summary: 1 message; upstream complete"], lines);
    }

    private sealed class MyServer : RegisteredServer
    {
        [PalmFunction("foo")]
        public byte[] Foo(byte[] message) => [.. "you sent me "u8, .. message];
    }

    private sealed class MySink : SinkServer
    {
        private sealed class Count
        {
            public int Messages;
        }

        [PalmFunction("foo")]
        public byte[] Foo(byte[] message) => [.. "and I pipelined "u8, .. message];

        protected override void Collect(MessageContext message, ReadOnlyMemory<byte> output) => StateOf<Count>(message.JobId).Messages++;

        protected override IEnumerable<byte[]> OnUpstreamsComplete(Guid jobId)
        {
            var messages = StateOf<Count>(jobId).Messages;
            return [Utf8.Bytes($"summary: {messages} message{(messages == 1 ? "" : "s")}; upstream complete")];
        }
    }
}
