using Akka.Event;
using Palm.Examples.Internal;
using Palm.Servers;

namespace Palm.Examples.Examples;

/// <summary>
/// pylm's single (and standalone_single, the same example on pylm's older API): one server with one function, and a
/// client that evaluates one message. No addresses: servers find each other by name, the client needs one node's.
/// </summary>
internal sealed class SingleExample : IExample
{
    public string Name => "single";
    public string Mirrors => "single, standalone_single";
    public string Description => "one server, one function; the client evaluates one message";

    public async Task<int> RunAsync(TextWriter output, CancellationToken cancellationToken)
    {
        await using var cluster = await ExampleClusters.StartAsync();
        await cluster.StartServerAsync<MyServer>("my_server");
        var client = await cluster.ConnectAsync("my_server");

        var result = Utf8.Text(await client.EvalAsync(["my_server.foo"], Utf8.Bytes("a message"), cancellationToken: cancellationToken));
        output.WriteLine($"Client got: {result}");
        return Expect.Same(output, ["you sent me a message"], [result]);
    }

    private sealed class MyServer : RegisteredServer
    {
        [PalmFunction("foo")]
        public byte[] Foo(byte[] message)
        {
            Log.Warning("Got a message");
            return [.. "you sent me "u8, .. message];
        }
    }
}
