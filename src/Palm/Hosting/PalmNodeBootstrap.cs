using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;
using Palm.Hosting.Internal;
using Palm.Messages;
using Palm.Security;
using Palm.Security.Internal;

namespace Palm.Hosting;

/// <summary>
/// The one way a node is made, in two halves around the creation of its actor system, so that whoever creates the
/// system makes the same node: <see cref="PalmHost.StartNodeAsync"/> creates it itself (<see cref="CreateActorSystem()"/>),
/// Palm.Hosting lets Akka.Hosting's <c>AddAkka</c> create it from <see cref="SystemName"/>, <see cref="Config"/> and
/// <see cref="Setups"/>. Either way <see cref="StartAsync"/> then makes it a member of its cluster.
/// </summary>
public sealed class PalmNodeBootstrap
{
    private readonly TimeSpan _connectTimeout;

    private PalmNodeBootstrap(string systemName, Config config, IReadOnlyList<Setup> setups, IReadOnlyList<Address> seeds, TimeSpan connectTimeout) =>
        (SystemName, Config, Setups, Seeds, _connectTimeout) = (systemName, config, setups, seeds, connectTimeout);

    /// <summary>The actor system's name (<c>palm.system-name</c>).</summary>
    public string SystemName { get; }

    /// <summary>
    /// The whole configuration the node's actor system runs with: the <see cref="NodeOptions"/>' over Palm's, with
    /// Akka.Remote's TLS keys when <c>palm.tls.enabled</c> is on, and without seed nodes (<see cref="StartAsync"/> joins them).
    /// </summary>
    public Config Config { get; }

    /// <summary>The setups the actor system needs beyond <see cref="Config"/> (<see cref="PalmTls.CreateSetups"/>: the TLS certificate, read once).</summary>
    public IReadOnlyList<Setup> Setups { get; }

    /// <summary>The seed nodes <see cref="StartAsync"/> joins, in order; none: the node founds a cluster of its own.</summary>
    public IReadOnlyList<Address> Seeds { get; }

    /// <summary>Reads and checks everything a node of <paramref name="options"/> needs before its actor system is created.</summary>
    /// <exception cref="ConfigurationException">A setting is malformed, unknown or contradicts another, or <c>palm.tls</c> is enabled but unusable; the message names the key.</exception>
    public static PalmNodeBootstrap Create(NodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var config = options.ToConfig();
        var settings = NodeComponentSettings.Read(config).Shared;
        var seeds = ClusterJoin.SeedsOf(config);
        var tls = PalmTlsSettings.Create(config);
        return new(settings.SystemName, PalmTls.RemoteConfig(tls).WithFallback(ClusterJoin.WithoutSeeds(config)), PalmTls.CreateSetups(tls), seeds, settings.ConnectTimeout);
    }

    /// <summary>The setup to create the actor system with: <see cref="Config"/> and <see cref="Setups"/>.</summary>
    public ActorSystemSetup ToActorSystemSetup() =>
        ActorSystemSetup.Create([BootstrapSetup.Create().WithConfig(Config), .. Setups]);

    /// <summary>Creates the node's actor system from <see cref="ToActorSystemSetup"/>.</summary>
    /// <exception cref="PalmBindException">Akka.Remote cannot listen: its port is taken (the message names it and, where the OS says, its holder).</exception>
    public ActorSystem CreateActorSystem() => CreateActorSystem(() => ActorSystem.Create(SystemName, ToActorSystemSetup()));

    /// <summary>
    /// Creates the node's actor system with <paramref name="create"/> (e.g. resolving it where Akka.Hosting creates it from
    /// <see cref="SystemName"/>, <see cref="Config"/> and <see cref="Setups"/>); a port Akka.Remote cannot bind becomes the
    /// same <see cref="PalmBindException"/> as <see cref="CreateActorSystem()"/>'s.
    /// </summary>
    /// <exception cref="PalmBindException">Akka.Remote cannot listen: its port is taken (the message names it and, where the OS says, its holder).</exception>
    public ActorSystem CreateActorSystem(Func<ActorSystem> create)
    {
        ArgumentNullException.ThrowIfNull(create);
        return PalmTls.MapBindFailure(Config, create);
    }

    /// <summary>
    /// Makes <paramref name="system"/>, created from this bootstrap, a node: Palm's listeners bind, then it joins the seeds
    /// (or founds a cluster when there are none) and returns once it is a member (WeaklyUp or Up). On failure the system is terminated.
    /// </summary>
    /// <exception cref="PalmBindException">A fixed <c>palm.lane.port</c> is taken; the message names it and, where the OS says, its holder.</exception>
    /// <exception cref="PalmConnectException">The node did not join within <c>palm.connect-timeout</c>; the message names each seed and what trying it met.</exception>
    /// <exception cref="ConfigurationException"><paramref name="system"/> is not named <see cref="SystemName"/>.</exception>
    public async Task<PalmNode> StartAsync(ActorSystem system, CancellationToken cancellationToken = default) =>
        (await JoinAsync(system, cancellationToken)).Node;

    /// <summary>Does what <see cref="StartAsync"/> does, and says how the node became a member (the end of its "up" line).</summary>
    internal async Task<(PalmNode Node, string How)> JoinAsync(ActorSystem system, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(system);
        try
        {
            if (system.Name != SystemName)
                throw new ConfigurationException($"palm.system-name is '{SystemName}' but the node's actor system is named '{system.Name}': peers would not recognise it.");
            ExposureWarning.LogIfExposed(system);
            // Palm's listeners (the lane) bind before the node joins: a port in use fails the start, not a member.
            var node = PalmNode.Get(system);
            var join = await ClusterJoin.StartAsync(system, Seeds);
            var how = await join.WaitAsync(_connectTimeout, cancellationToken);
            return (node, how);
        }
        catch
        {
            await system.Terminate();
            throw;
        }
    }
}
