using Akka.Actor;
using Akka.Cluster;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Palm.Hosting.Internal;
using Palm.Servers;

namespace Palm.Hosting;

/// <summary>
/// The node of a generic host. Its actor system is the host's Akka.Hosting one (<c>AddAkka</c>, resolvable as
/// <see cref="ActorSystem"/>), made from <see cref="PalmNodeBootstrap"/>; when the host starts, Akka.Hosting's startup
/// joins it to its cluster and starts its servers, built by dependency injection, and the host is started only then
/// (systemd's readiness follows). When the host stops, Akka's coordinated shutdown leaves the cluster (workers drain first).
/// </summary>
public sealed class PalmNodeService
{
    private readonly IServiceProvider _services;
    private readonly IReadOnlyList<PalmServerRegistration> _servers;
    private readonly ILoggerFactory _loggers;
    private readonly PalmNodeSettings _settings;
    private readonly Lazy<PalmNodeBootstrap> _bootstrap;
    private readonly TaskCompletionSource<PalmNode> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationToken _starting;

    /// <summary>Creates the service (the host does, through <see cref="PalmServiceCollectionExtensions.AddPalmNode"/>).</summary>
    public PalmNodeService(IServiceProvider services, IOptions<PalmNodeSettings> settings, IEnumerable<PalmServerRegistration> servers, ILoggerFactory loggers)
    {
        _services = services;
        _settings = settings.Value;
        _servers = servers.ToArray();
        _loggers = loggers;
        // Read once; a mistake is kept and thrown to every reader, the hosted start first.
        _bootstrap = new(() => PalmNodeBootstrap.Create(_settings.ToNodeOptions()));
    }

    /// <summary>The node, once the host has started.</summary>
    /// <exception cref="InvalidOperationException">The host has not started yet.</exception>
    public PalmNode Node => _started.Task.IsCompletedSuccessfully ? _started.Task.Result : throw new InvalidOperationException("The Palm node starts with the host; it has not started yet.");

    /// <summary>Completes with the node once it is a member and its servers run.</summary>
    public Task<PalmNode> Started => _started.Task;

    /// <summary>How the node is made.</summary>
    /// <exception cref="Akka.Configuration.ConfigurationException">A setting is malformed, unknown or contradicts another; the message names the key.</exception>
    internal PalmNodeBootstrap Bootstrap => _bootstrap.Value;

    /// <summary>
    /// Akka.Hosting's configuration of the actor system: Palm's HOCON and setups, Palm's logger (its filter of Akka's noise,
    /// writing to the host's logger factory, which Akka.Hosting hands the system), and the start of the node.
    /// </summary>
    internal void Configure(AkkaConfigurationBuilder builder)
    {
        PalmNodeBootstrap bootstrap;
        try
        {
            bootstrap = _bootstrap.Value;
        }
        catch (Exception)
        {
            // Settings that cannot make a node fail the hosted start before the actor system is created (PalmAkkaService);
            // the builder is also resolved for Akka.Hosting's health checks, which must not fail for it.
            return;
        }
        builder.AddHocon(bootstrap.Config, HoconAddMode.Prepend);
        foreach (var setup in bootstrap.Setups) builder.AddSetup(setup);
        builder.ConfigureLoggers(loggers => loggers.ClearLoggers().AddLogger<MicrosoftLogger>());
        builder.AddStartup((system, _) => StartAsync(system));
    }

    /// <summary>The host's start is under way; <paramref name="cancellationToken"/> cancels joining.</summary>
    internal void Starting(CancellationToken cancellationToken) => _starting = cancellationToken;

    /// <summary>The host's start failed before or while the node started: the health check says why.</summary>
    internal void Failed(Exception e) => _started.TrySetException(e);

    private async Task StartAsync(ActorSystem system)
    {
        var node = await Bootstrap.StartAsync(system, _starting);
        try
        {
            foreach (var server in _servers)
                await node.StartServerAsync((PalmServer)ActivatorUtilities.CreateInstance(_services, server.Type), server.Name, server.Role ?? _settings.Role);
        }
        catch
        {
            await system.Terminate();
            throw;
        }
        _loggers.CreateLogger("palm.node").LogInformation("Palm node up at {Address} with servers {Servers}", node.Address, string.Join(", ", _servers.Select(s => s.Name)));
        _started.TrySetResult(node);
    }

    /// <summary>Whether this node is a member (Up or WeaklyUp) of its cluster.</summary>
    internal bool IsMember(out string state)
    {
        if (!_started.Task.IsCompletedSuccessfully)
        {
            state = _started.Task.IsFaulted ? $"failed to start: {_started.Task.Exception!.InnerException!.Message}" : "starting";
            return false;
        }
        var self = Cluster.Get(_started.Task.Result.System).SelfMember;
        state = self.Status.ToString();
        return self.Status is MemberStatus.Up or MemberStatus.WeaklyUp;
    }
}

/// <summary>A server the host's node starts, built by dependency injection (its constructor may take services).</summary>
/// <param name="Type">The server class (a <see cref="PalmServer"/>).</param>
/// <param name="Name">The name routes use.</param>
/// <param name="Role">The part it plays; null: <see cref="PalmNodeSettings.Role"/>.</param>
public sealed record PalmServerRegistration(Type Type, string Name, ServerRole? Role);
