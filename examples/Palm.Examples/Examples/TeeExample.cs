using Akka.Event;
using Palm.Client;
using Palm.Examples.Internal;
using Palm.Servers;

namespace Palm.Examples.Examples;

/// <summary>
/// pylm's tee: two pipeline servers subscribe to the same server's output, each told its <c>previous</c>. In Palm the
/// job's route forks: its last trunk step sends every output to every branch, and each result says its branch.
/// </summary>
internal sealed class TeeExample : IExample
{
    public string Name => "tee";
    public string Mirrors => "tee";
    public string Description => "a tee: my_server's output goes to two branches, my_pipeline and my_echo; each result names its branch";

    public async Task<int> RunAsync(TextWriter output, CancellationToken cancellationToken)
    {
        await using var cluster = await ExampleClusters.StartAsync();
        await cluster.StartServerAsync<MyServer>("my_server");
        await cluster.StartServerAsync<MyPipeline>("my_pipeline");
        await cluster.StartServerAsync<MyEcho>("my_echo");
        var client = await cluster.ConnectAsync("my_server", "my_pipeline", "my_echo");

        var route = JobRoute.Of("my_server.foo").Branch("close", "my_pipeline.foo").Branch("echo", "my_echo.foo");
        var results = await client.RunAllAsync(route, [Utf8.Bytes("a message")], cancellationToken);
        var lines = results.Select(r => $"Client got ({r.Branch}): {Utf8.Text(r)}").ToArray();
        foreach (var line in lines) output.WriteLine(line);
        return Expect.Same(output, ["Client got (close): and I pipelined you sent me a message", "Client got (echo): you sent me a message"], lines);
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

    private sealed class MyEcho : RegisteredServer
    {
        [PalmFunction("foo")]
        public byte[] Foo(byte[] message)
        {
            Log.Warning("Just echo, nothing else");
            return message;
        }
    }
}
