using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Akka.Event;
using Microsoft.Extensions.Logging;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;
using Palm.Client;
using Palm.Hosting;
using Palm.Servers;
using Palm.Tests.Support;
using Xunit;

namespace Palm.Tests.Hosting.Extensions;

/// <summary>A service a server takes from dependency injection.</summary>
public sealed class Greeting
{
    /// <summary>The word before the name.</summary>
    public string Word { get; init; } = "hello";
}

/// <summary>A server with a constructor dependency (no parameterless constructor).</summary>
public sealed class GreeterServer(Greeting greeting) : RegisteredServer
{
    /// <summary>Greets; "warn" also logs a warning through the server's logger.</summary>
    [PalmFunction("greet")]
    public byte[] Greet(byte[] name)
    {
        var text = Encoding.UTF8.GetString(name);
        if (text == "warn") Log.Warning("greeter was asked to warn");
        return Encoding.UTF8.GetBytes($"{greeting.Word} {text}");
    }
}

/// <summary>Palm.Hosting: a node, its servers built by dependency injection, a client, a health check and logs, in a real generic host.</summary>
[Trait(TestCategories.Category, TestCategories.Cluster)]
public sealed class GenericHostTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_host_starts_a_node_whose_server_takes_services_answers_a_client_reports_health_and_logs_through_its_logger_factory()
    {
        var lines = new ConcurrentQueue<(string Category, LogLevel Level, string Text)>();
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Palm:Port"] = "0",
            ["Palm:Hocon"] = "palm.client.window = 100",
        });
        builder.Logging.ClearProviders().AddProvider(new CapturingProvider(lines));
        builder.Services.AddSingleton(new Greeting { Word = "bonjour" });
        builder.Services.AddPalmNode(builder.Configuration.GetSection("Palm"));
        builder.Services.AddPalmServer<GreeterServer>("greeter");
        builder.Services.AddPalmClient();
        builder.Services.AddHealthChecks().AddPalm();
        using var host = builder.Build();

        await host.StartAsync().WaitAsync(Bound);
        var node = host.Services.GetRequiredService<PalmNodeService>().Node;
        Assert.Equal(100, PalmClientWindow(node));
        var client = host.Services.GetRequiredService<PalmClientService>().Client;
        Assert.Equal("bonjour palm", Encoding.UTF8.GetString((await client.EvalAsync(["greeter.greet"], Encoding.UTF8.GetBytes("palm")).WaitAsync(Bound))!));

        var health = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Assert.Equal(HealthStatus.Healthy, health.Status);
        Assert.Contains("greeter", health.Entries["palm"].Description);

        await client.EvalAsync(["greeter.greet"], Encoding.UTF8.GetBytes("warn")).WaitAsync(Bound);
        await Eventually.AssertAsync(() => Assert.Contains(lines, l => l is { Category: "palm.server.greeter", Level: LogLevel.Warning } && l.Text == "greeter was asked to warn"), Bound);
        Assert.Contains(lines, l => l.Category == "palm.node" && l.Text.StartsWith("Palm node up at ", StringComparison.Ordinal));

        await host.StopAsync().WaitAsync(Bound);
        await node.System.WhenTerminated.WaitAsync(Bound);
    }

    [Fact]
    public async Task A_node_that_cannot_start_fails_the_hosts_start_and_its_health_says_why()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddPalmNode(configure: s => s.Hocon = "palm.tls.enable = on");
        builder.Services.AddHealthChecks().AddPalm();
        using var host = builder.Build();

        var e = await Assert.ThrowsAsync<Akka.Configuration.ConfigurationException>(() => host.StartAsync().WaitAsync(Bound));
        Assert.Contains("did you mean palm.tls.enabled?", e.Message);
        var health = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Assert.Equal(HealthStatus.Unhealthy, health.Status);
        Assert.Contains("failed to start", health.Entries["palm"].Description);
    }

    private static int PalmClientWindow(PalmNode node) => Palm.Client.ClientSettings.Create(node.System).Window;

    private sealed class CapturingProvider(ConcurrentQueue<(string, LogLevel, string)> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Capturing(categoryName, lines);

        public void Dispose()
        {
        }
    }

    private sealed class Capturing(string category, ConcurrentQueue<(string, LogLevel, string)> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue((category, logLevel, formatter(state, exception)));
    }
}
