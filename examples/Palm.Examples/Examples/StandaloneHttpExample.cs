using Palm.Examples.Internal;

namespace Palm.Examples.Examples;

/// <summary>
/// pylm's standalone_http: http's web worker on pylm's older API. Here "standalone" is the client: no Palm library,
/// only HTTP, as a Python or curl client would be. It streams the job through the example's gateway (NDJSON), the server
/// calls http's web worker for each message, and one message the web worker refuses comes back as an error line naming
/// server, function and the web worker's answer, while the others go on.
/// </summary>
internal sealed class StandaloneHttpExample : IExample
{
    private const int Messages = 10;

    public string Name => "standalone_http";
    public string Mirrors => "standalone_http";
    public string Description => "http with an HTTP-only client: ten messages and an empty one streamed through the gateway to server.foo and its web worker";

    public async Task<int> RunAsync(TextWriter output, CancellationToken cancellationToken)
    {
        await using var cluster = await ExampleClusters.StartAsync();
        await using var webWorker = await HttpExample.StartWebWorkerAsync(cancellationToken);
        await (await cluster.StartNodeAsync()).StartServerAsync(new HttpExample.WebWorkerServer(webWorker.Http), "server");
        await using var gateway = await ExampleWeb.StartGatewayAsync(cluster, ["server"], cancellationToken: cancellationToken);

        var lines = new List<string>();
        // The last input is empty: the web worker refuses it.
        await foreach (var line in gateway.RunJobAsync("server.foo", [.. Enumerable.Repeat("a message", Messages), ""], cancellationToken))
            lines.Add(ExampleWeb.Text(line));
        foreach (var line in lines) output.WriteLine(line);
        return Expect.Same(output,
        [
            .. Enumerable.Repeat("a message processed online", Messages),
            $"input #{Messages}: FunctionFailed in server.foo: System.Net.Http.HttpRequestException: the web worker answered 400: nothing to process",
            $"end: {Messages + 1} inputs, {Messages + 1} results, 1 errors",
        ], lines);
    }
}
