using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Palm.AspNetCore.Internal;

namespace Palm.AspNetCore;

/// <summary>Mounts Palm's HTTP endpoints in an ASP.NET Core app (docs/gateway.md).</summary>
public static class PalmEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps, under <paramref name="prefix"/>:
    /// <c>POST eval/{route}</c> (the body is one payload, the response body its result),
    /// <c>POST jobs/{route}</c> (a streamed job: inputs framed in the request body, results framed in the response as they come),
    /// <c>GET status</c> (the cluster's status as JSON), <c>GET jobs</c> (the jobs running through this gateway, with their progress)
    /// and <c>GET /</c> (the live status page). A route is its steps separated by commas: <c>a.parse,b.price</c>.
    /// Errors are RFC 7807 problem+json naming server, function, kind and cause.
    /// Returns the group, to add the app's own conventions (authorization, rate limiting, OpenAPI).
    /// </summary>
    /// <param name="endpoints">The app's endpoints.</param>
    /// <param name="prefix">The path the endpoints go under, e.g. <c>/palm</c>; empty: the root.</param>
    /// <exception cref="InvalidOperationException"><see cref="PalmGatewayServiceCollectionExtensions.AddPalmGateway"/> was not called.</exception>
    public static RouteGroupBuilder MapPalm(this IEndpointRouteBuilder endpoints, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(prefix);
        var gateway = endpoints.ServiceProvider.GetService<PalmGateway>()
            ?? throw new InvalidOperationException("MapPalm needs the gateway's services: call builder.Services.AddPalmGateway(...) first.");
        var group = endpoints.MapGroup(prefix.TrimEnd('/'));
        group.MapPost("/eval/{route}", (HttpContext context, string route) => gateway.EvalAsync(context, route));
        group.MapPost("/jobs/{route}", (HttpContext context, string route) => gateway.RunJobAsync(context, route));
        group.MapGet("/jobs", (HttpContext context) => gateway.JobsAsync(context));
        group.MapGet("/status", (HttpContext context) => gateway.StatusAsync(context));
        group.MapGet("/", (HttpContext context) => StatusPage.IndexAsync(context));
        group.MapGet("/assets/{name}", (HttpContext context, string name) => StatusPage.AssetAsync(context, name));
        return group;
    }
}
