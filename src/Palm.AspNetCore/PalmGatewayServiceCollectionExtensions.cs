using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Palm.AspNetCore.Internal;
using Palm.Hosting;

namespace Palm.AspNetCore;

/// <summary>Registers what <see cref="PalmEndpointRouteBuilderExtensions.MapPalm"/> needs: a Palm client and the gateway's job table.</summary>
public static class PalmGatewayServiceCollectionExtensions
{
    /// <summary>
    /// Adds the gateway: a Palm client connected when the host starts (Palm.Hosting's <c>AddPalmClient</c>: to <c>Contact</c> of
    /// <paramref name="configuration"/>, e.g. <c>builder.Configuration.GetSection("Palm")</c>, else through the host's own node,
    /// else to <c>palm.client.contact-points</c> of its <c>Hocon</c>) and the table of jobs running through it.
    /// The client does not join the cluster. With the cluster's <c>palm.tls</c> on, give the client its own certificate in <c>Hocon</c>.
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="configuration">The client's settings (<c>Contact</c>, <c>Hocon</c>); null: only <paramref name="client"/>.</param>
    /// <param name="client">Sets the client's settings after <paramref name="configuration"/>.</param>
    /// <param name="gateway">Sets the gateway's own options (spool size, progress timeout).</param>
    public static IServiceCollection AddPalmGateway(this IServiceCollection services, IConfiguration? configuration = null,
        Action<PalmClientSettings>? client = null, Action<PalmGatewayOptions>? gateway = null)
    {
        services.AddPalmClient(configuration, client);
        var options = services.AddOptions<PalmGatewayOptions>();
        if (gateway is not null) options.Configure(gateway);
        services.TryAddSingleton(sp => new PalmGateway(sp.GetRequiredService<PalmClientService>(), sp.GetRequiredService<IOptions<PalmGatewayOptions>>().Value));
        return services;
    }
}
