using Akka.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Palm.Client;
using Palm.Configuration;

namespace Palm.Hosting;

/// <summary>How a host's client connects: to <see cref="Contact"/>, else through the host's own node, else to the nodes of <c>palm.client.contact-points</c>.</summary>
public sealed class PalmClientSettings
{
    /// <summary>Address of any node of the cluster; null: the host's own node if it has one, else <c>palm.client.contact-points</c> of <see cref="Hocon"/>.</summary>
    public string? Contact { get; set; }

    /// <summary>Extra HOCON for the client's own actor system (e.g. <c>palm.tls { ... }</c>, <c>palm.client.contact-points = [...]</c>).</summary>
    public string? Hocon { get; set; }
}

/// <summary>The client of a generic host: connected when the host starts, disposed when it stops.</summary>
public sealed class PalmClientService : IHostedService
{
    private readonly PalmClientSettings _settings;
    private readonly PalmNodeService? _node;
    private readonly TaskCompletionSource<PalmClient> _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Creates the service (the host does, through <see cref="PalmServiceCollectionExtensions.AddPalmClient"/>).</summary>
    public PalmClientService(IOptions<PalmClientSettings> settings, PalmNodeService? node = null)
    {
        _settings = settings.Value;
        _node = node;
    }

    /// <summary>The client, once the host has started.</summary>
    /// <exception cref="InvalidOperationException">The host has not started yet.</exception>
    public PalmClient Client => _connected.Task.IsCompletedSuccessfully ? _connected.Task.Result : throw new InvalidOperationException("The Palm client connects when the host starts; it has not yet.");

    /// <summary>Completes with the client once it is connected.</summary>
    public Task<PalmClient> Connected => _connected.Task;

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            var config = string.IsNullOrWhiteSpace(_settings.Hocon) ? null : PalmConfig.Parse(_settings.Hocon, "PalmClient:Hocon");
            var client = _settings.Contact is { } contact ? await PalmClient.ConnectAsync(contact, config, cancellationToken)
                : _node is not null ? await PalmClient.ConnectAsync((await _node.Started).System, cancellationToken)
                : await PalmClient.ConnectAsync(config ?? Config.Empty, cancellationToken);
            _connected.TrySetResult(client);
        }
        catch (Exception e)
        {
            _connected.TrySetException(e);
            throw;
        }
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_connected.Task.IsCompletedSuccessfully) await _connected.Task.Result.DisposeAsync();
    }
}
