using Palm.Examples.Internal;
using Palm.Servers;

namespace Palm.Examples.Examples;

/// <summary>
/// pylm's server_hub: a serial server's output goes to a hub, a parallel step (pylm's <c>Hub</c>, a master fed by a
/// server instead of a client). In Palm it is a parallel server like any: a route may put one anywhere.
/// </summary>
internal sealed class ServerHubExample : IExample
{
    public string Name => "server_hub";
    public string Mirrors => "server_hub";
    public string Description => "a parallel step after a serial server: server.foo, then hub.foo (leader + 2 workers)";

    public async Task<int> RunAsync(TextWriter output, CancellationToken cancellationToken)
    {
        await using var cluster = await ExampleClusters.StartAsync();
        await cluster.StartServerAsync<MyServer>("server");
        await cluster.StartParallelAsync<MyWorker>("hub", workers: 2);
        var client = await cluster.ConnectAsync("server", "hub");

        var result = Utf8.Text(await client.EvalAsync(["server.foo", "hub.foo"], Utf8.Bytes("a message"), cancellationToken: cancellationToken));
        output.WriteLine($"Client got: {result}");
        return Expect.FromWorkers(output, [result], "", "hub", " processed you sent me a message");
    }

    private sealed class MyServer : RegisteredServer
    {
        [PalmFunction("foo")]
        public byte[] Foo(byte[] message) => [.. "you sent me "u8, .. message];
    }

    private sealed class MyWorker : ButterflyServer
    {
        [PalmFunction("foo")]
        public byte[] Foo(byte[] message, MessageContext context) => Utf8.Bytes($"{context.Instance} processed {Utf8.Text(message)}");
    }
}
