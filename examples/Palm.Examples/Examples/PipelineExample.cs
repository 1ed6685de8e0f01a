using Palm.Examples.Internal;
using Palm.Servers;

namespace Palm.Examples.Examples;

/// <summary>
/// pylm's pipeline: a server's output goes on to a second server, which answers the client. In pylm each server is
/// told its neighbours' addresses (<c>previous</c>, <c>pipelined</c>, <c>to_client</c>); in Palm the route is the
/// client's, and each server sends its result straight to the next one named in it.
/// </summary>
internal sealed class PipelineExample : IExample
{
    public string Name => "pipeline";
    public string Mirrors => "pipeline";
    public string Description => "two serial servers in a route: my_server.foo, then my_pipeline.foo";

    public async Task<int> RunAsync(TextWriter output, CancellationToken cancellationToken)
    {
        await using var cluster = await ExampleClusters.StartAsync();
        await cluster.StartServerAsync<MyServer>("my_server");
        await cluster.StartServerAsync<MyPipeline>("my_pipeline");
        var client = await cluster.ConnectAsync("my_server", "my_pipeline");

        var result = Utf8.Text(await client.EvalAsync(["my_server.foo", "my_pipeline.foo"], Utf8.Bytes("a message"), cancellationToken: cancellationToken));
        output.WriteLine($"Client got: {result}");
        return Expect.Same(output, ["and I pipelined you sent me a message"], [result]);
    }

    private sealed class MyServer : RegisteredServer
    {
        [PalmFunction("foo")]
        public byte[] Foo(byte[] message) => [.. "you sent me "u8, .. message];
    }

    private sealed class MyPipeline : RegisteredServer
    {
        [PalmFunction("foo")]
        public byte[] Foo(byte[] message) => [.. "and I pipelined "u8, .. message];
    }
}
