using System.Net.Http.Json;
using System.Text.Json;
using Palm.Examples.Internal;
using Palm.Servers;

namespace Palm.Examples.Examples;

/// <summary>
/// pylm's gateway: an HTTP endpoint in front of a master and its workers, whose <c>function</c> answers "acknowledged";
/// its client is one HTTP request. In Palm the endpoint is <c>MapPalm()</c> in any ASP.NET Core app (here the example's
/// own, or the Palm.Gateway process), a client of the cluster in front of every server: the URL names the route.
/// A wrong step is a problem+json naming it, and the cluster's status is one GET away.
/// </summary>
internal sealed class GatewayExample : IExample
{
    private const int Workers = 2;

    public string Name => "gateway";
    public string Mirrors => "gateway";
    public string Description => "the gateway in front of a parallel server: POST eval/server.function answers 'acknowledged'";

    public async Task<int> RunAsync(TextWriter output, CancellationToken cancellationToken)
    {
        await using var cluster = await ExampleClusters.StartAsync();
        await cluster.StartParallelAsync<MyWorker>("server", Workers);
        await using var gateway = await ExampleWeb.StartGatewayAsync(cluster, ["server"], Workers, cancellationToken);

        // pylm's client: requests.get('http://localhost:8888/function'). The route is the URL's: server.function.
        using var answer = await gateway.Http.PostAsync("eval/server.function", new ByteArrayContent([]), cancellationToken);
        var acknowledged = $"POST /eval/server.function: {(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync(cancellationToken)}";

        using var refused = await gateway.Http.PostAsync("eval/server.nothing", new ByteArrayContent([]), cancellationToken);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        var unknown = $"POST /eval/server.nothing: {(int)refused.StatusCode} {problem.GetProperty("kind")}: {problem.GetProperty("detail")}";

        var status = await gateway.Http.GetFromJsonAsync<JsonElement>("status", cancellationToken);
        var leader = status.GetProperty("servers").EnumerateArray()
            .Single(s => s.GetProperty("name").GetString() == "server" && s.GetProperty("role").GetString() == "leader");
        var workers = $"GET /status: server, a leader with {leader.GetProperty("workers")} workers";

        string[] lines = [acknowledged, unknown, workers];
        foreach (var line in lines) output.WriteLine(line);
        return Expect.Same(output,
        [
            "POST /eval/server.function: 200 acknowledged",
            "POST /eval/server.nothing: 404 UnknownFunction: Step 0 (server.nothing) names function 'nothing', which server 'server' does not have; it has: echo, function.",
            $"GET /status: server, a leader with {Workers} workers",
        ], lines);
    }

    private sealed class MyWorker : ButterflyServer
    {
        [PalmFunction("function")]
        public byte[] Function(byte[] message) => "acknowledged"u8.ToArray();
    }
}
