using Akka.Event;
using Palm.Client;
using Palm.Examples.Internal;
using Palm.Servers;

namespace Palm.Examples.Examples;

/// <summary>
/// pylm's stream: the server's <c>handle_stream</c> sends messages alternately to topics "even" and "odd", which two
/// pipeline servers subscribe to; the odd one only logs, so the client asks for 5 results of 10 (<c>messages=5</c>).
/// In Palm the stream hook picks a branch of the job's route per output (<c>NextHop.Branch</c>), and the job ends by
/// itself when both branches have: the odd branch emits nothing, and nobody counts.
/// </summary>
internal sealed class StreamExample : IExample
{
    private const int Messages = 10;

    public string Name => "stream";
    public string Mirrors => "stream";
    public string Description => "an odd/even split: my_server's hook sends even inputs to my_pipeline and odd ones to my_echo";

    public async Task<int> RunAsync(TextWriter output, CancellationToken cancellationToken)
    {
        await using var cluster = await ExampleClusters.StartAsync();
        await cluster.StartServerAsync<MyServer>("my_server");
        await cluster.StartServerAsync<MyPipeline>("my_pipeline");
        await cluster.StartServerAsync<MyEcho>("my_echo");
        var client = await cluster.ConnectAsync("my_server", "my_pipeline", "my_echo");

        var route = JobRoute.Of("my_server.foo").Branch("even", "my_pipeline.foo").Branch("odd", "my_echo.foo");
        var results = await client.RunAllAsync(route, Utf8.Repeat("a message", Messages), cancellationToken);
        var lines = results.Select(r => $"Client got #{r.InputIndex} ({r.Branch}): {Utf8.Text(r)}").ToArray();
        foreach (var line in lines) output.WriteLine(line);
        output.WriteLine($"{results.Count} results from {Messages} inputs: the odd branch emits nothing, and the job ended by itself");
        return Expect.Same(output,
            Enumerable.Range(0, Messages / 2).Select(i => $"Client got #{2 * i} (even): and I pipelined you sent me a message"), lines);
    }

    private sealed class MyServer : RegisteredServer
    {
        [PalmFunction("foo")]
        public byte[] Foo(byte[] message) => [.. "you sent me "u8, .. message];

        // pylm's handle_stream, without its counter: the input's index says odd or even, whatever the order of arrival.
        protected override NextHop OnOutput(MessageContext message, ReadOnlyMemory<byte> output) =>
            NextHop.Branch(message.InputIndex % 2 == 0 ? "even" : "odd");
    }

    private sealed class MyPipeline : RegisteredServer
    {
        [PalmFunction("foo")]
        public byte[] Foo(byte[] message) => [.. "and I pipelined "u8, .. message];
    }

    private sealed class MyEcho : RegisteredServer
    {
        [PalmFunction("foo")]
        public void Foo(byte[] message) => Log.Warning("Echo: {0}", Utf8.Text(message));
    }
}
