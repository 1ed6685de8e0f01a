using Akka.Cluster;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Palm.Hosting.Internal;
using Palm.Servers;

namespace Palm.Hosting;

/// <summary>
/// The node of a generic host: started when the host starts (joined to its cluster, its servers started, built by
/// dependency injection), and left gracefully when the host stops (workers drain first). Readiness (systemd's
/// <c>UseSystemd</c>) follows: the host is started once the node is a member and its servers run.
/// </summary>
public sealed class PalmNodeService : IHostedService
{
    private readonly IServiceProvider _services;
    private readonly PalmNodeSettings _settings;
    private readonly IReadOnlyList<PalmServerRegistration> _servers;
    private readonly ILoggerFactory _loggers;
    private readonly TaskCompletionSource<PalmNode> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Creates the service (the host does, through <see cref="PalmServiceCollectionExtensions.AddPalmNode"/>).</summary>
    public PalmNodeService(IServiceProvider services, IOptions<PalmNodeSettings> settings, IEnumerable<PalmServerRegistration> servers, ILoggerFactory loggers)
    {
        _services = services;
        _settings = settings.Value;
        _servers = servers.ToArray();
        _loggers = loggers;
    }

    /// <summary>The node, once the host has started.</summary>
    /// <exception cref="InvalidOperationException">The host has not started yet.</exception>
    public PalmNode Node => _started.Task.IsCompletedSuccessfully ? _started.Task.Result : throw new InvalidOperationException("The Palm node starts with the host; it has not started yet.");

    /// <summary>Completes with the node once it is a member and its servers run.</summary>
    public Task<PalmNode> Started => _started.Task;

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            LoggerFactories.Starting(_loggers);
            var node = await PalmHost.StartNodeAsync(_settings.ToNodeOptions(), cancellationToken);
            try
            {
                foreach (var server in _servers)
                    await node.StartServerAsync((PalmServer)ActivatorUtilities.CreateInstance(_services, server.Type), server.Name, server.Role ?? _settings.Role);
            }
            catch
            {
                await node.System.Terminate();
                throw;
            }
            _loggers.CreateLogger("palm.node").LogInformation("Palm node up at {Address} with servers {Servers}", node.Address, string.Join(", ", _servers.Select(s => s.Name)));
            _started.TrySetResult(node);
        }
        catch (Exception e)
        {
            _started.TrySetException(e);
            throw;
        }
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (!_started.Task.IsCompletedSuccessfully) return;
        await PalmHost.StopNodeAsync(_started.Task.Result).WaitAsync(cancellationToken);
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
