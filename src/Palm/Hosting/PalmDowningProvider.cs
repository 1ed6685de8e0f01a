using Akka.Actor;
using Akka.Cluster;
using Palm.Hosting.Internal;

namespace Palm.Hosting;

/// <summary>
/// Palm's downing provider (<c>akka.cluster.downing-provider-class</c> in <c>hocon/cluster.conf</c>): unreachable
/// workers are downed on their own after <c>palm.downing.unreachable-workers-after</c> while every core member
/// is reachable, and a split among core members (seeds, serial servers, leaders) is decided after
/// <c>palm.downing.stable-after</c> by keep-majority over core members only, a tie going to the side with the
/// oldest. Akka's split-brain resolver is not used because it downs every node of a crash storm: a worker
/// that saw another die and then dies itself counts as "indirectly connected" (see docs/reliability.md).
/// </summary>
public sealed class PalmDowningProvider : IDowningProvider
{
    private readonly DowningSettings _settings;

    /// <summary>Created by Akka.Cluster from the configured class name.</summary>
    public PalmDowningProvider(ActorSystem system) => _settings = DowningSettings.Create(system.Settings.Config);

    /// <summary>Created by Akka.Cluster from the configured class name.</summary>
    public PalmDowningProvider(ActorSystem system, Akka.Cluster.Cluster cluster) : this(system) { }

    /// <inheritdoc />
    public TimeSpan DownRemovalMargin => _settings.StableAfter;

    /// <inheritdoc />
    public Props DowningActorProps => Props.Create(() => new DowningActor(_settings));
}
