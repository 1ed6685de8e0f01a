using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using Palm.Cache;
using Palm.Cache.Internal;
using Palm.Diagnostics;
using Palm.Discovery;
using Palm.Discovery.Internal;
using Palm.Dispatch;
using Palm.Messages;
using Palm.Servers;
using Palm.Servers.Internal;
using Palm.Templates;
using AkkaCluster = Akka.Cluster.Cluster;
using static Akka.Cluster.ClusterEvent;

namespace Palm.Hosting.Internal;

/// <summary>
/// One per node, at <c>/user/palm</c>: starts the node's servers, tells every other node of the
/// cluster which servers it hosts, learns theirs, and keeps the node's <see cref="DirectoryView"/>
/// and its subscribers (clients, leaders) up to date. It is never on the data path.
/// </summary>
internal sealed class NodeActor : ReceiveActor
{
    public const string Name = "palm";

    public static ActorPath PathAt(Address node) => new RootActorPath(node) / "user" / Name;

    private readonly NodeComponentSettings _components;
    private readonly DirectoryView _view;
    private readonly Transport.DataLanes _lanes = Transport.DataLanes.Get(Context.System);
    private readonly string _selfAddress;
    private readonly bool _clustered;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly List<ServerEntry> _local = [];
    private readonly Dictionary<Address, ServerEntry[]> _remote = new();
    private readonly Dictionary<Address, Member> _members = new();
    // Announcements from addresses not (yet) members. When full, any one makes room: a real member
    // announces itself again anyway once this node sees it join (MemberAvailable asks for a reply).
    private readonly Dictionary<Address, (NodeServers Message, IActorRef Sender)> _pending = new();
    private const int MaxPendingAnnouncements = 64;
    private readonly HashSet<IActorRef> _subscribers = [];
    // Per local server actor, what ends with it: its lane receiver and its measurements (ServerMetrics).
    private readonly Dictionary<IActorRef, IDisposable[]> _serverRegistrations = new();
    private readonly ConnectedClients _clients;
    private readonly IDisposable _admission;
    private readonly HashSet<(string Name, string Node)> _reportedConflicts = [];
    private readonly RateLimitedLog _refusals;
    // Workers started per server name: the N of each one's identity (InstanceIdentity).
    private readonly Dictionary<string, int> _workerSequence = new(StringComparer.Ordinal);
    private readonly MembershipReport _membership;

    public NodeActor(NodeComponentSettings settings, DirectoryView view, string selfAddress, bool clustered, RateLimitedLog refusals)
    {
        (_components, _view, _selfAddress, _clustered, _refusals) = (settings, view, selfAddress, clustered, refusals);
        _membership = new MembershipReport(Context.System, selfAddress, clustered);
        _clients = new ConnectedClients(settings.Node.MaxDirectorySubscribers);
        // The lane hands secrets to members of the cluster and to connected clients only.
        var cluster = clustered ? AkkaCluster.Get(Context.System) : null;
        var clients = _clients;
        _admission = _lanes.AddAdmission(system => clients.Contains(system) || (cluster is not null && IsMember(cluster, system)));

        Receive<StartServer>(Start);
        Receive<NodeServers>(OnPeerServers);
        Receive<SubscribeDirectory>(_ =>
        {
            if (!_subscribers.Contains(Sender) && _subscribers.Count >= _components.Node.MaxDirectorySubscribers)
            {
                _refusals.Warn("directory-subscribers",
                    $"Palm node refused a directory subscription from {Sender.Path}: it already serves palm.node.max-directory-subscribers = {_components.Node.MaxDirectorySubscribers}.");
                return;
            }
            _subscribers.Add(Sender);
            Context.Watch(Sender);
            // A remote subscriber is a client (leaders subscribe from this system).
            if (!Sender.Path.Address.HasLocalScope) _clients.Add(Sender);
            Sender.Tell(new DirectoryUpdate(_view.Current.All));
        });
        Receive<ClientHello>(_ =>
        {
            if (Sender.IsNobody() || Sender.Path.Address.HasLocalScope) return;
            if (!_clients.Add(Sender))
            {
                _refusals.Warn("clients",
                    $"Palm node refused the hello of client {Sender.Path}: it already holds palm.node.max-directory-subscribers = {_components.Node.MaxDirectorySubscribers} clients.");
                return;
            }
            Context.Watch(Sender);
        });
        Receive<UnsubscribeDirectory>(_ =>
        {
            _subscribers.Remove(Sender);
            _clients.Remove(Sender);
            Context.Unwatch(Sender);
        });
        Receive<Terminated>(OnTerminated);
        Receive<MemberUp>(m => MemberAvailable(m.Member));
        Receive<MemberWeaklyUp>(m => MemberAvailable(m.Member));
        Receive<ReachableMember>(m => MemberAvailable(m.Member));
        Receive<UnreachableMember>(m => MemberUnreachable(m.Member.Address));
        Receive<MemberExited>(m => MemberGone(m.Member.Address));
        Receive<MemberRemoved>(m =>
        {
            _membership.Removed(m.Member);
            MemberGone(m.Member.Address);
        });
        Receive<GetSubscriberCount>(_ => Sender.Tell(_subscribers.Count));
        // Anyone may ask: clients are not members, and the answer holds nothing a member would not gossip anyway.
        Receive<GetNodeStatus>(_ => Sender.Tell(_membership.Report()));
    }

    protected override void PreStart()
    {
        if (_clustered)
            AkkaCluster.Get(Context.System).Subscribe(Self, SubscriptionInitialStateMode.InitialStateAsEvents,
                typeof(MemberUp), typeof(MemberWeaklyUp), typeof(ReachableMember), typeof(UnreachableMember), typeof(MemberExited), typeof(MemberRemoved));
    }

    protected override void PostStop()
    {
        _admission.Dispose();
        foreach (var registration in _serverRegistrations.Values.SelectMany(r => r)) registration.Dispose();
        if (_clustered) AkkaCluster.Get(Context.System).Unsubscribe(Self);
    }

    /// <summary>Whether <paramref name="system"/> is a member of the cluster that is not down (read from any thread: the cluster's state is a snapshot).</summary>
    private static bool IsMember(AkkaCluster cluster, Address system) =>
        cluster.State.Members.Any(m => m.Address.Equals(system) && m.Status is not (MemberStatus.Down or MemberStatus.Removed));

    private void Start(StartServer request)
    {
        // Only this node's own code starts servers here (PalmNode.StartServerAsync asks from this system).
        if (!Sender.Path.Address.HasLocalScope)
        {
            _refusals.Warn("start-server", $"Palm node refused a request to start server '{request.Name}' from {Sender.Path.Address}: servers start only from their own node.");
            return;
        }
        try
        {
            var entry = Create(request);
            _local.Add(entry);
            Announce();
            Publish();
            Sender.Tell(entry);
        }
        catch (Exception e)
        {
            Sender.Tell(new Status.Failure(e));
        }
    }

    private ServerEntry Create(StartServer request)
    {
        var (instance, name, role) = request;
        if (role != ServerRole.Worker && _local.Any(e => e.Name == name && e.Role != ServerRole.Worker))
            throw new PalmConfigurationException($"This node already hosts a server named '{name}'.");
        var functions = FunctionTable.For(instance.GetType());
        var counters = new ServerCounters();
        var log = Logging.GetLogger(Context.System, $"palm.server.{name}");
        IActorRef cacheActor = ActorRefs.Nobody;
        IPalmCache cache;
        if (role == ServerRole.Worker)
        {
            cache = new LeaderCache(name, () => _view.Current.TryGet(name, out var leader) ? leader.Cache : null, _components.Shared.AskTimeout);
        }
        else
        {
            var store = new ServerCache(_components.Cache.MaxEntries, _components.Cache.MaxBytes);
            cache = store;
            cacheActor = Context.ActorOf(Props.Create(() => new CacheActor(store)), $"cache-{name}");
        }
        instance.Attach(new ServerServices(name, log, cache, counters));
        var worker = role == ServerRole.Worker ? _workerSequence[name] = _workerSequence.GetValueOrDefault(name) + 1 : 0;
        var actorName = InstanceIdentity.ActorName(name, role, worker);
        var runtime = new ServerRuntime(name, instance, functions, counters, log, cache, _components.Shared, _components.Server, _view, Self, _selfAddress, _lanes,
            Identity: InstanceIdentity.Of(name, role, actorName, _selfAddress));
        var props = ServerTemplates.PropsFor(runtime, role, _components.Parallel).WithDispatcher(_components.Server.Dispatcher);
        var server = Context.ActorOf(props, actorName);
        _serverRegistrations[server] = [_lanes.AddReceiver(server), ServerMetrics.Register(counters, name, role, _selfAddress)];
        Context.Watch(server);
        return new ServerEntry(name, instance.TemplateName, role, server, cacheActor, functions.Names, _selfAddress);
    }

    private void OnPeerServers(NodeServers message)
    {
        var from = Sender.Path.Address;
        if (from.HasLocalScope) return;
        // Directory entries are state that jobs follow: only a current member may announce its own
        // servers, and what it announces is taken as hosted at the sender's address, whatever it says.
        if (!_members.ContainsKey(from))
        {
            // A new member may announce itself before this node has seen it join: hold the latest
            // announcement per address (a bounded few) and apply it when the member shows up. A
            // stranger's never takes effect.
            _refusals.Log(LogLevel.InfoLevel, "node-servers", "{0}", $"Palm node holds a server announcement from {from}, not a member of the cluster (yet); it takes effect only if {from} joins.");
            if (!_pending.ContainsKey(from) && _pending.Count >= MaxPendingAnnouncements) _pending.Remove(_pending.Keys.First());
            _pending[from] = (message, Sender);
            return;
        }
        Apply(from, message, Sender);
    }

    private void Apply(Address from, NodeServers message, IActorRef sender)
    {
        var node = from.ToString();
        var entries = message.Entries.Where(e => e is not null && e.Server.Path.Address.Equals(from)
                && (e.Cache.IsNobody() || e.Cache.Path.Address.Equals(from))
                && e.Name?.Length <= 200 && PalmNode.IsValidName(e.Name))
            .Select(e => e with { Node = node }).ToArray();
        if (entries.Length != message.Entries.Length)
            _refusals.Warn("node-servers-foreign", $"Palm node ignored {message.Entries.Length - entries.Length} entries from {from} that named actors of other nodes or bad names.");
        _remote[from] = entries;
        if (message.ReplyWanted) sender.Tell(new NodeServers(_local.ToArray(), false));
        Publish();
    }

    private void OnTerminated(Terminated t)
    {
        if (_serverRegistrations.Remove(t.ActorRef, out var registrations))
            foreach (var registration in registrations) registration.Dispose();
        var wasClient = _clients.Remove(t.ActorRef);
        if (_subscribers.Remove(t.ActorRef) || wasClient) return;
        if (_local.RemoveAll(e => e.Server.Equals(t.ActorRef)) > 0)
        {
            _log.Warning("Palm server actor {0} stopped; it is no longer in the directory.", t.ActorRef.Path);
            Announce();
            Publish();
        }
    }

    private void MemberAvailable(Member member)
    {
        _membership.Available(member);
        if (member.Address.Equals(AkkaCluster.Get(Context.System).SelfAddress)) return;
        _members[member.Address] = member;
        if (_pending.Remove(member.Address, out var held)) Apply(member.Address, held.Message, held.Sender);
        PeerNode(member.Address).Tell(new NodeServers(_local.ToArray(), true));
    }

    /// <summary>
    /// An unreachable member may only be slow: its workers leave the directory at once, so that leaders re-dispatch their
    /// work, while its servers and leaders stay until it is downed or leaves (docs/internals.md#nodeactor).
    /// </summary>
    private void MemberUnreachable(Address address)
    {
        if (!_remote.TryGetValue(address, out var entries)) return;
        var kept = entries.Where(e => e.Role != ServerRole.Worker).ToArray();
        if (kept.Length == entries.Length) return;
        _remote[address] = kept;
        Publish();
    }

    private void MemberGone(Address address)
    {
        _members.Remove(address);
        if (_remote.Remove(address)) Publish();
    }

    private void Announce()
    {
        var entries = _local.ToArray();
        foreach (var member in _members.Keys) PeerNode(member).Tell(new NodeServers(entries, false));
    }

    private ActorSelection PeerNode(Address address) => Context.ActorSelection(PathAt(address));

    private void Publish()
    {
        // Oldest member first: a name claimed by two nodes stays with the node that had it first
        // (member age is the same on every node), and the newcomer is reported, never silently preferred.
        var self = _clustered ? AkkaCluster.Get(Context.System).SelfMember : null;
        var byAge = _remote.Select(r => (Member: _members.GetValueOrDefault(r.Key), Entries: r.Value))
            .Append((Member: self, Entries: _local.ToArray()))
            .OrderBy(n => n.Member, Comparer<Member?>.Create(CompareAge));
        var ordered = byAge.SelectMany(n => n.Entries).ToArray();
        ReportConflicts(ordered);
        var snapshot = new DirectorySnapshot(ordered);
        _view.Current = snapshot;
        var update = new DirectoryUpdate(snapshot.All);
        foreach (var subscriber in _subscribers) subscriber.Tell(update);
    }

    // Older first; a node outside any cluster (null) knows only its own servers.
    private static int CompareAge(Member? a, Member? b) =>
        a is null ? (b is null ? 0 : -1) : b is null ? 1 : a.Equals(b) ? 0 : a.IsOlderThan(b) ? -1 : 1;

    private void ReportConflicts(ServerEntry[] ordered)
    {
        foreach (var group in ordered.Where(e => e.Role != ServerRole.Worker).GroupBy(e => e.Name))
        {
            var claims = group.ToArray();
            for (var i = 1; i < claims.Length; i++)
                if (_reportedConflicts.Add((group.Key, claims[i].Node)))
                    _log.Warning("Server name '{0}' is claimed by node {1} too; it stays with {2}, which had it first. Give every server a name of its own.",
                        group.Key, claims[i].Node, claims[0].Node);
        }
    }
}
