using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Palm.AspNetCore;
using Palm.Hosting;
using Palm.TestKit;

namespace Palm.Examples.Internal;

/// <summary>
/// An example's own web app: Kestrel on 127.0.0.1 with a port the OS picks, and an <see cref="HttpClient"/> to it.
/// It is either the gateway in front of the example's cluster (<see cref="StartGatewayAsync"/>) or a plain web service
/// the example's servers call (<see cref="StartAsync"/>).
/// </summary>
internal sealed class ExampleWeb : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ExampleWeb(WebApplication app, Uri address)
    {
        _app = app;
        Http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>A client of the app: relative paths (<c>eval/server.foo</c>) go to it.</summary>
    public HttpClient Http { get; }

    /// <summary>Starts an app whose endpoints <paramref name="map"/> adds, after <paramref name="services"/> registered what they need.</summary>
    public static async Task<ExampleWeb> StartAsync(Action<WebApplication> map, Action<IServiceCollection>? services = null,
        CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        // The example prints its own lines; the host's "Now listening on" and request logs would come between them.
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        services?.Invoke(builder.Services);
        var app = builder.Build();
        map(app);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        return new ExampleWeb(app, new Uri(address + "/"));
    }

    /// <summary>
    /// Starts Palm's gateway (<c>MapPalm()</c> at the root, a client of <paramref name="cluster"/>'s seed) and waits until its
    /// client knows <paramref name="servers"/>, each with <paramref name="minWorkers"/> workers: a request sent earlier
    /// would find no worker yet.
    /// </summary>
    public static async Task<ExampleWeb> StartGatewayAsync(PalmTestCluster cluster, IReadOnlyList<string> servers, int minWorkers = 0,
        CancellationToken cancellationToken = default)
    {
        var web = await StartAsync(app => app.MapPalm(), services => services.AddPalmGateway(client: c => c.Contact = cluster.Seed.Address),
            cancellationToken);
        try
        {
            var client = web._app.Services.GetRequiredService<PalmClientService>().Client;
            await client.WaitForServersAsync(servers, cluster.Timeout, minWorkers);
            return web;
        }
        catch
        {
            await web.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Runs a streamed job through the gateway, as curl or Python would: <c>POST jobs/{route}</c> with one NDJSON line
    /// <c>{"text":"..."}</c> per input, and yields the response's lines as they come (<c>{"input":N,"payload":"BASE64"}</c>,
    /// <c>{"input":N,"error":{...}}</c>, and last <c>{"end":true,...}</c>). A refused job (a problem, not 200) throws, naming it.
    /// </summary>
    public async IAsyncEnumerable<JsonElement> RunJobAsync(string route, IEnumerable<string> texts,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var lines = string.Concat(texts.Select(t => JsonSerializer.Serialize(new { text = t }) + "\n"));
        using var request = new HttpRequestMessage(HttpMethod.Post, "jobs/" + route)
        {
            Content = new StringContent(lines, Encoding.UTF8, "application/x-ndjson"),
        };
        using var response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"POST jobs/{route} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
            yield return JsonDocument.Parse(line).RootElement;
    }

    /// <summary>One response line of <see cref="RunJobAsync"/> as the examples print it: a result's text, an error, or the job's end.</summary>
    public static string Text(JsonElement line) =>
        line.TryGetProperty("payload", out var payload) ? Utf8.Text(payload.GetBytesFromBase64())
        : line.TryGetProperty("error", out var error)
            ? $"input #{line.GetProperty("input")}: {error.GetProperty("kind")} in {error.GetProperty("server")}.{error.GetProperty("function")}: "
              + $"{error.GetProperty("exceptionType")}: {error.GetProperty("message")}"
        : line.TryGetProperty("end", out _)
            ? $"end: {line.GetProperty("inputs")} inputs, {line.GetProperty("results")} results, {line.GetProperty("errors")} errors"
        : $"unexpected line: {line}";

    /// <summary>Stops the app (and the gateway's Palm client with it).</summary>
    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
