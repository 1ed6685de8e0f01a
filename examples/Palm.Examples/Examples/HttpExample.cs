using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Palm.Examples.Internal;
using Palm.Servers;

namespace Palm.Examples.Examples;

/// <summary>
/// pylm's http: a server's step is an HTTP call. pylm's master hands every message to an <c>HttpConnection</c> that POSTs
/// it to a web worker (a WSGI app whose <c>foo</c> appends " processed online") and publishes the answer to the client.
/// In Palm the step is a function like any: an async one that calls the web service with the <see cref="HttpClient"/>
/// its server was given, several calls in flight at once (pylm's <c>max_workers</c>), a refusal an error value.
/// </summary>
internal sealed class HttpExample : IExample
{
    private const int Messages = 10;

    public string Name => "http";
    public string Mirrors => "http";
    public string Description => "server.foo POSTs each message to a web worker the example hosts, which answers 'MESSAGE processed online'";

    public async Task<int> RunAsync(TextWriter output, CancellationToken cancellationToken)
    {
        await using var cluster = await ExampleClusters.StartAsync();
        await using var webWorker = await StartWebWorkerAsync(cancellationToken);
        await (await cluster.StartNodeAsync()).StartServerAsync(new WebWorkerServer(webWorker.Http), "server");
        var client = await cluster.ConnectAsync("server");

        var results = await client.RunAllAsync(["server.foo"], Utf8.Repeat("a message", Messages), cancellationToken);
        foreach (var result in results) output.WriteLine(Utf8.Text(result));
        return Expect.PerInput(output, results, Messages, 1)
            | Expect.Same(output, Enumerable.Repeat("a message processed online", Messages), results.Select(Utf8.Text));
    }

    /// <summary>pylm's web_worker: <c>POST /foo</c> answers its body and " processed online"; an empty body is refused (400).</summary>
    public static Task<ExampleWeb> StartWebWorkerAsync(CancellationToken cancellationToken) =>
        ExampleWeb.StartAsync(app => app.MapPost("/foo", async (HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body, request.HttpContext.RequestAborted);
            return body.Length == 0
                ? Results.Text("nothing to process", statusCode: StatusCodes.Status400BadRequest)
                : Results.Bytes([.. body.ToArray(), .. " processed online"u8], "application/octet-stream");
        }), cancellationToken: cancellationToken);

    /// <summary>
    /// pylm's master with its HttpConnection. The web worker's address comes in the constructor, as any dependency of a
    /// server object would; pylm's is a URL string in the master's wiring.
    /// </summary>
    public sealed class WebWorkerServer(HttpClient webWorker) : RegisteredServer
    {
        // Calls wait on the network, not the CPU: four in flight at once on this one server (pylm's max_workers).
        [PalmFunction("foo", MaxConcurrency = 4)]
        public async Task<byte[]> Foo(byte[] message)
        {
            using var response = await webWorker.PostAsync("foo", new ByteArrayContent(message));
            if (!response.IsSuccessStatusCode)
                throw new HttpRequestException($"the web worker answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            return await response.Content.ReadAsByteArrayAsync();
        }
    }
}
