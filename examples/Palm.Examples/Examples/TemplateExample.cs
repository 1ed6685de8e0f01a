using Palm.Examples.Internal;
using Palm.Servers;

namespace Palm.Examples.Examples;

/// <summary>
/// pylm's template: a master assembled by hand from pylm's parts (pull, push to workers, pull from workers, publish,
/// cache) and its workers, sent ten messages as a job. In Palm the assembled master is the parallel template every
/// <see cref="ButterflyServer"/> gets, and the job goes over HTTP: ten NDJSON lines to the gateway's <c>jobs/server.foo</c>,
/// the results streamed back as the workers finish, and a last line saying the job ended (pylm's client counts to 10).
/// </summary>
internal sealed class TemplateExample : IExample
{
    private const int Workers = 2;
    private const int Messages = 10;

    public string Name => "template";
    public string Mirrors => "template";
    public string Description => "a parallel server behind the gateway: ten messages streamed as NDJSON to jobs/server.foo, results streamed back";

    public async Task<int> RunAsync(TextWriter output, CancellationToken cancellationToken)
    {
        await using var cluster = await ExampleClusters.StartAsync();
        await cluster.StartParallelAsync<MyWorker>("server", Workers);
        await using var gateway = await ExampleWeb.StartGatewayAsync(cluster, ["server"], Workers, cancellationToken);

        var lines = new List<string>();
        await foreach (var line in gateway.RunJobAsync("server.foo", Enumerable.Repeat("a message", Messages), cancellationToken))
            lines.Add(ExampleWeb.Text(line));
        foreach (var line in lines) output.WriteLine(line);
        // The end line comes last, after every result.
        var results = lines.SkipLast(1).ToArray();
        if (results.Length != Messages) output.WriteLine($"WRONG: {results.Length} results, not {Messages}");
        return Expect.Same(output, [$"end: {Messages} inputs, {Messages} results, 0 errors"], lines.TakeLast(1))
            | Expect.FromWorkers(output, results, "", "server", " processed a message")
            | (results.Length == Messages ? 0 : 1);
    }

    private sealed class MyWorker : ButterflyServer
    {
        [PalmFunction("foo")]
        public byte[] Foo(byte[] message, MessageContext context) => Utf8.Bytes($"{context.Instance} processed {Utf8.Text(message)}");
    }
}
