using Akka.Actor;
using Akka.Cluster;
using Palm.Configuration;
using Palm.Discovery;
using Palm.Hosting.Internal;
using Palm.Messages;
using Palm.Serialization;
using Palm.Servers;
using Palm.Transport;

namespace Palm.Hosting;

/// <summary>
/// Palm on one actor system: the entry point for starting servers on this node. With the cluster
/// provider the node finds the servers of every other member by name; with the local provider (a
/// test's actor system) it knows its own servers only.
/// </summary>
public sealed class PalmNode : IExtension
{
    internal PalmNode(ExtendedActorSystem system)
    {
        System = system;
        system.Settings.InjectTopLevelFallback(PalmConfig.Reference);
        var components = NodeComponentSettings.Read(system.Settings.Config);
        // A system built without Palm's HOCON still gets a dedicated thread per server.
        if (!system.Dispatchers.HasDispatcher(components.Server.Dispatcher))
            components = components with { Server = components.Server with { Dispatcher = "akka.io.pinned-dispatcher" } };
        Components = components;
        Settings = components.Shared;
        SerializerBindings.Check(system.Settings.Config);
        SerializerBindings.Register(system);
        // Listening before any server starts: peers ask for the lane as soon as they send here.
        _ = Transport.DataLanes.Get(system);
        Clustered = system.Provider is ClusterActorRefProvider;
        Address = Clustered ? Akka.Cluster.Cluster.Get(system).SelfAddress.ToString() : system.Provider.DefaultAddress.ToString();
        Refusals = new Diagnostics.RateLimitedLog(Akka.Event.Logging.GetLogger(system, "palm.node"), Diagnostics.RateLimitedLog.StrangerInterval);
        NodeActor = system.ActorOf(Props.Create(() => new NodeActor(Components, Directory, Address, Clustered, Refusals)), Internal.NodeActor.Name);
    }

    /// <summary>The Palm node of <paramref name="system"/>, created on first use.</summary>
    public static PalmNode Get(ActorSystem system) => system.WithExtension<PalmNode, PalmNodeProvider>();

    /// <summary>The settings every component of this node shares (<c>palm</c>).</summary>
    public PalmSettings Settings { get; }

    /// <summary>The node's own settings (<c>palm.node</c>).</summary>
    public NodeSettings NodeSettings => Components.Node;

    /// <summary>Every section this node runs with, each read once at start.</summary>
    internal NodeComponentSettings Components { get; }

    /// <summary>This node's address (<c>akka.tcp://palm@host:port</c> when clustered).</summary>
    public string Address { get; }

    /// <summary>Whether the node is a member of an Akka.Cluster (otherwise it only knows its own servers).</summary>
    public bool Clustered { get; }

    /// <summary>The actor system this node runs in.</summary>
    public ActorSystem System { get; }

    internal DirectoryView Directory { get; } = new();

    internal IActorRef NodeActor { get; }

    /// <summary>Control messages this node refused (from strangers, or past a bound), counted by kind and logged at a bounded rate.</summary>
    internal Diagnostics.RateLimitedLog Refusals { get; }

    /// <summary>The names of the servers (not workers) this node currently knows, cluster-wide.</summary>
    public IReadOnlyList<string> KnownServers => Directory.Current.Servers.Select(s => s.Name).Order().ToArray();

    /// <summary>Starts a server of type <typeparamref name="TServer"/> named <paramref name="name"/> on this node.</summary>
    /// <exception cref="PalmConfigurationException">The name is invalid or taken, or the class is not a valid server.</exception>
    public Task StartServerAsync<TServer>(string name, ServerRole role = ServerRole.Standalone) where TServer : PalmServer, new() =>
        StartServerAsync(new TServer(), name, role);

    /// <summary>Starts <paramref name="server"/> under <paramref name="name"/>, playing <paramref name="role"/>.</summary>
    /// <exception cref="PalmConfigurationException">The name is invalid or taken, or the class is not a valid server.</exception>
    public async Task StartServerAsync(PalmServer server, string name, ServerRole role = ServerRole.Standalone)
    {
        ArgumentNullException.ThrowIfNull(server);
        CheckName(name);
        _ = Dispatch.FunctionTable.For(server.GetType());
        await NodeActor.Ask<ServerEntry>(new StartServer(server, name, role), Settings.AskTimeout);
    }

    /// <summary>Starts a parallel server in one call: a leader and <paramref name="workers"/> workers on this node.</summary>
    public async Task StartParallelServerAsync<TServer>(string name, int workers) where TServer : PalmServer, new()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(workers);
        await StartServerAsync(new TServer(), name, ServerRole.Leader);
        for (var i = 0; i < workers; i++) await StartServerAsync(new TServer(), name, ServerRole.Worker);
    }

    /// <summary>Waits until this node's directory lists every server in <paramref name="names"/>, each with at least <paramref name="minWorkers"/> workers.</summary>
    /// <exception cref="TimeoutException">Some are still missing after <paramref name="timeout"/>.</exception>
    public Task WaitForServersAsync(IEnumerable<string> names, TimeSpan timeout, int minWorkers = 0) =>
        Directory.WaitForAsync(names, timeout, Address, minWorkers);

    internal static void CheckName(string name)
    {
        if (!IsValidName(name))
            throw new PalmConfigurationException($"Server name '{name}' must be non-empty and use only letters, digits, '-' and '_'.");
    }

    internal static bool IsValidName(string? name) =>
        !string.IsNullOrEmpty(name) && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}

/// <summary>Creates the <see cref="PalmNode"/> extension.</summary>
public sealed class PalmNodeProvider : ExtensionIdProvider<PalmNode>
{
    /// <inheritdoc />
    public override PalmNode CreateExtension(ExtendedActorSystem system) => new(system);
}
