using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Palm.Hosting;

/// <summary>Healthy while the host's node is a member (Up or WeaklyUp) of its cluster with its servers running; unhealthy otherwise, saying why.</summary>
public sealed class PalmHealthCheck(PalmNodeService node) : IHealthCheck
{
    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(node.IsMember(out var state)
            ? HealthCheckResult.Healthy($"Palm node {node.Node.Address} is {state}; servers: {string.Join(", ", node.Node.KnownServers)}")
            : HealthCheckResult.Unhealthy($"Palm node is not a member of its cluster: {state}"));
}
