using System.Net.Http.Headers;
using System.Text.Json;
using Akka.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Palm.AspNetCore;
using Palm.AspNetCore.Internal;
using Palm.Client;
using Palm.Demo;
using Palm.Hosting;
using Palm.Servers;
using Palm.TestKit;
using Palm.Tests.Client;
using Palm.Tests.Support;
using Xunit;

namespace Palm.Tests.AspNetCore;

/// <summary>
/// One real cluster and one real gateway for every gateway test: a seed, servers <c>w</c> (<see cref="WordsServer"/>),
/// <c>faulty</c> (loses the results of "lose") and <c>pylm</c> (pylm's example worker, a leader and a worker), and
/// Kestrel on 127.0.0.1 with a port the OS picks, serving <c>MapPalm("/palm")</c> through a client of its own.
/// </summary>
public sealed class GatewayFixture : IAsyncLifetime
{
    /// <summary><c>palm.max-payload-bytes</c> of the cluster and of the gateway's client: small, so a 413 costs little.</summary>
    public const int MaxPayload = 64 * 1024;

    /// <summary>The gateway's <see cref="PalmGatewayOptions.SpoolMemoryBytes"/>.</summary>
    public const int SpoolBound = 64 * 1024;

    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    public PalmTestCluster Cluster { get; private set; } = null!;

    public WebApplication App { get; private set; } = null!;

    /// <summary>The gateway's root, e.g. <c>http://127.0.0.1:41234/palm/</c>.</summary>
    public Uri Base { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    /// <summary>The gateway's Palm client.</summary>
    public PalmClient Client => App.Services.GetRequiredService<PalmClientService>().Client;

    internal PalmGateway Gateway => App.Services.GetRequiredService<PalmGateway>();

    public async Task InitializeAsync()
    {
        var limit = $"palm.max-payload-bytes = {MaxPayload}";
        Cluster = await PalmTestCluster.StartAsync(ConfigurationFactory.ParseString(limit));
        await Cluster.StartServerAsync<WordsServer>("w");
        await Cluster.StartServerAsync<FaultyServer>("faulty");
        await Cluster.StartServerAsync<FooServer>("pylm", ServerRole.Leader);
        await Cluster.StartServerAsync<FooServer>("pylm", ServerRole.Worker);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddPalmGateway(
            client: c =>
            {
                c.Contact = Cluster.Seed.Address;
                c.Hocon = limit;
            },
            gateway: g =>
            {
                g.SpoolMemoryBytes = SpoolBound;
                // A lost result fails its job (503) within seconds rather than a minute.
                g.ProgressTimeout = TimeSpan.FromSeconds(1);
            });
        App = builder.Build();
        App.MapPalm("/palm");
        await App.StartAsync();
        var address = App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        Base = new Uri(address + "/palm/");
        Http = new HttpClient { BaseAddress = Base, Timeout = TimeSpan.FromSeconds(60) };
        await Client.WaitForServersAsync(["w", "faulty"], Wait);
        await Client.WaitForServersAsync(["pylm"], Wait, minWorkers: 1);
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        await Cluster.DisposeAsync();
    }

    /// <summary>POSTs <paramref name="body"/> to <c>eval/{route}</c>.</summary>
    public Task<HttpResponseMessage> EvalAsync(string route, byte[] body) =>
        Http.PostAsync("eval/" + route, new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/octet-stream") } });

    /// <summary>The problem+json of a refused request, checked to be one.</summary>
    public static async Task<JsonElement> ProblemOf(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
    }

    /// <summary>The jobs <c>GET jobs</c> lists now.</summary>
    public async Task<JsonElement[]> JobsAsync() =>
        JsonDocument.Parse(await Http.GetStringAsync("jobs")).RootElement.EnumerateArray().ToArray();
}
