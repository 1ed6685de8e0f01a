using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Palm.Hosting.Internal;

/// <summary>
/// Akka.Hosting's hosted service for the host's node, which it starts and stops as it does any actor system (its
/// startup, <see cref="PalmNodeService"/>'s, joins the cluster and starts the servers; its stop runs coordinated shutdown).
/// Before that, Palm's settings are checked, and the actor system is created the way every Palm node's is: a port
/// Akka.Remote cannot bind fails the start with Palm's <see cref="Palm.Messages.PalmBindException"/>, not Akka's stack.
/// </summary>
internal sealed class PalmAkkaService(
    AkkaConfigurationBuilder configurationBuilder, IServiceProvider serviceProvider, ILogger<AkkaHostedService> logger,
    IHostApplicationLifetime? applicationLifetime, PalmNodeService node)
    : AkkaHostedService(configurationBuilder, serviceProvider, logger, applicationLifetime)
{
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            node.Bootstrap.CreateActorSystem(ServiceProvider.GetRequiredService<ActorSystem>);
            node.Starting(cancellationToken);
            await base.StartAsync(cancellationToken);
        }
        catch (Exception e)
        {
            node.Failed(e);
            throw;
        }
    }
}
