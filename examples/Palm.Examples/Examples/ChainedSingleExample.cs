using Palm.Examples.Internal;
using Palm.Servers;

namespace Palm.Examples.Examples;

/// <summary>
/// pylm's chained_single: three servers in a chain, each configured with the next one's address and function
/// (<c>next_call='step2.bar'</c>), the last pushing back to the client. In Palm the chain is the job's route.
/// </summary>
internal sealed class ChainedSingleExample : IExample
{
    public string Name => "chained_single";
    public string Mirrors => "chained_single";
    public string Description => "a chain of three servers, step1.foo -> step2.bar -> last.baz, as one route";

    public async Task<int> RunAsync(TextWriter output, CancellationToken cancellationToken)
    {
        await using var cluster = await ExampleClusters.StartAsync();
        await cluster.StartServerAsync<Step1>("step1");
        await cluster.StartServerAsync<Step2>("step2");
        await cluster.StartServerAsync<Last>("last");
        var client = await cluster.ConnectAsync("step1", "step2", "last");

        var results = await client.RunAllAsync(["step1.foo", "step2.bar", "last.baz"], [Utf8.Bytes("a message")], cancellationToken);
        foreach (var result in results) output.WriteLine($"Client got: {Utf8.Text(result)}");
        return Expect.Same(output, ["ACK: got it too, after you sent me a message"], results.Select(Utf8.Text));
    }

    private sealed class Step1 : RegisteredServer
    {
        [PalmFunction("foo")]
        public byte[] Foo(byte[] message) => [.. "you sent me "u8, .. message];
    }

    private sealed class Step2 : RegisteredServer
    {
        [PalmFunction("bar")]
        public byte[] Bar(byte[] message) => [.. "got it too, after "u8, .. message];
    }

    private sealed class Last : RegisteredServer
    {
        [PalmFunction("baz")]
        public byte[] Baz(byte[] message) => [.. "ACK: "u8, .. message];
    }
}
