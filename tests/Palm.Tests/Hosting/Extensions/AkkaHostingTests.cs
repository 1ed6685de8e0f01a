using System.Net.Sockets;
using System.Text;
using Akka.Actor;
using Akka.Cluster;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;
using Palm.Hosting;
using Palm.Messages;
using Palm.Tests.Support;
using Xunit;

namespace Palm.Tests.Hosting.Extensions;

/// <summary>Palm.Hosting's node is Akka.Hosting's actor system, made the way every Palm node is, and the host is ready only once it is up.</summary>
[Trait(TestCategories.Category, TestCategories.Cluster)]
public sealed class AkkaHostingTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private static HostApplicationBuilder Builder(string port = "0")
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Palm:Port"] = port });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(new Greeting());
        builder.Services.AddPalmNode(builder.Configuration.GetSection("Palm"));
        builder.Services.AddPalmServer<GreeterServer>("greeter");
        builder.Services.AddHealthChecks().AddPalm();
        return builder;
    }

    private static bool UpWithGreeter(PalmNodeService service) =>
        service.Started.IsCompletedSuccessfully
        && Cluster.Get(service.Node.System).SelfMember.Status == MemberStatus.Up
        && service.Node.KnownServers.Contains("greeter");

    [Fact]
    public async Task The_nodes_actor_system_is_the_one_Akka_Hosting_registered_and_the_host_starts_only_once_the_node_is_up_with_its_server()
    {
        using var host = Builder().Build();
        var service = host.Services.GetRequiredService<PalmNodeService>();

        await host.StartAsync().WaitAsync(Bound);

        // No waiting here: the host's start itself waited.
        Assert.True(UpWithGreeter(service), "the host started before its node was up with its server");
        Assert.Same(host.Services.GetRequiredService<ActorSystem>(), service.Node.System);
        await host.StopAsync().WaitAsync(Bound);
        await service.Node.System.WhenTerminated.WaitAsync(Bound);
    }

    [Fact]
    public async Task A_port_in_use_fails_the_hosts_start_with_Palms_message_naming_the_port()
    {
        using var held = FreePorts.Hold();
        using var host = Builder(held.Port.ToString()).Build();

        var e = await Assert.ThrowsAsync<PalmBindException>(() => host.StartAsync().WaitAsync(Bound));

        Assert.Equal(held.Port, e.Port);
        Assert.StartsWith($"Cannot listen on 127.0.0.1:{held.Port} for Akka.Remote", e.Message);
        var health = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Assert.Equal(HealthStatus.Unhealthy, health.Status);
        Assert.Contains($"failed to start: Cannot listen on 127.0.0.1:{held.Port}", health.Entries["palm"].Description);
    }

    [Fact]
    public async Task Under_systemd_the_host_notifies_ready_only_once_the_node_is_up_with_its_server()
    {
        var path = Path.Combine(Path.GetTempPath(), $"palm-notify-{Guid.NewGuid():N}.sock");
        using var notifications = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        notifications.Bind(new UnixDomainSocketEndPoint(path));
        try
        {
            var builder = Builder();
            // What UseSystemd adds in a process systemd started (it cannot tell that a test process was).
            builder.Services.AddSingleton<ISystemdNotifier, SystemdNotifier>();
            builder.Services.AddSingleton<IHostLifetime, SystemdLifetime>();
            IHost host;
            // The notifier reads NOTIFY_SOCKET when the host is built.
            Environment.SetEnvironmentVariable("NOTIFY_SOCKET", path);
            try
            {
                host = builder.Build();
            }
            finally
            {
                Environment.SetEnvironmentVariable("NOTIFY_SOCKET", null);
            }
            using (host)
            {
                var service = host.Services.GetRequiredService<PalmNodeService>();
                var ready = Task.Run(async () =>
                {
                    var buffer = new byte[256];
                    var length = await notifications.ReceiveAsync(buffer, SocketFlags.None);
                    // Read at once: the node's state when systemd would have been told.
                    return (Text: Encoding.UTF8.GetString(buffer, 0, length), Up: UpWithGreeter(service));
                });

                await host.StartAsync().WaitAsync(Bound);
                var (text, up) = await ready.WaitAsync(Bound);

                Assert.Equal("READY=1", text);
                Assert.True(up, "READY=1 was sent before the node was up with its server");
                await host.StopAsync().WaitAsync(Bound);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }
}
