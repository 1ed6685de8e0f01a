using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Akka.Hosting;
using Palm.Hosting.Internal;
using Palm.Servers;

namespace Palm.Hosting;

/// <summary>Registers Palm in a generic host (<c>Host.CreateApplicationBuilder</c>): a node with its servers, a client, a health check.</summary>
public static class PalmServiceCollectionExtensions
{
    /// <summary>
    /// Adds the host's Palm node, configured from <paramref name="configuration"/> (e.g. <c>builder.Configuration.GetSection("Palm")</c>:
    /// <c>Host</c>, <c>Port</c>, <c>LanePort</c>, <c>Seeds</c>, <c>Role</c>, <c>ConfigFile</c>, <c>Hocon</c>) and then <paramref name="configure"/>.
    /// Its actor system is the host's Akka.Hosting one (<c>AddAkka</c>; do not add another), named by <c>palm.system-name</c> as the
    /// settings read when this is called. Add its servers with <see cref="AddPalmServer{TServer}"/>.
    /// </summary>
    public static IServiceCollection AddPalmNode(this IServiceCollection services, IConfiguration? configuration = null, Action<PalmNodeSettings>? configure = null)
    {
        var options = services.AddOptions<PalmNodeSettings>();
        if (configuration is not null) options.Configure(o => configuration.Bind(o));
        if (configure is not null) options.Configure(configure);
        if (services.Any(s => s.ServiceType == typeof(PalmNodeService))) return services;
        services.AddSingleton<PalmNodeService>();
        var now = new PalmNodeSettings();
        configuration?.Bind(now);
        configure?.Invoke(now);
        services.AddAkka<PalmAkkaService>(now.SystemNameNow(), (builder, sp) => sp.GetRequiredService<PalmNodeService>().Configure(builder));
        return services;
    }

    /// <summary>
    /// Adds a server the host's node starts under <paramref name="name"/>, built by dependency injection: its constructor may
    /// take registered services (no parameterless constructor needed). <paramref name="role"/> null: the node's role.
    /// </summary>
    public static IServiceCollection AddPalmServer<TServer>(this IServiceCollection services, string name, ServerRole? role = null) where TServer : PalmServer
    {
        PalmNode.CheckName(name);
        return services.AddSingleton(new PalmServerRegistration(typeof(TServer), name, role));
    }

    /// <summary>
    /// Adds a client connected when the host starts (<see cref="PalmClientService"/>): to <c>Contact</c> of <paramref name="configuration"/>,
    /// else through the host's own node, else to <c>palm.client.contact-points</c>.
    /// </summary>
    public static IServiceCollection AddPalmClient(this IServiceCollection services, IConfiguration? configuration = null, Action<PalmClientSettings>? configure = null)
    {
        var options = services.AddOptions<PalmClientSettings>();
        if (configuration is not null) options.Configure(o => configuration.Bind(o));
        if (configure is not null) options.Configure(configure);
        services.TryAddSingleton(sp => new PalmClientService(
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<PalmClientSettings>>(), sp.GetService<PalmNodeService>()));
        services.AddHostedService(sp => sp.GetRequiredService<PalmClientService>());
        return services;
    }

    /// <summary>Adds <see cref="PalmHealthCheck"/> under <paramref name="name"/>.</summary>
    public static IHealthChecksBuilder AddPalm(this IHealthChecksBuilder builder, string name = "palm") =>
        builder.AddCheck<PalmHealthCheck>(name);
}
