using Akka.Actor;
using Akka.Event;
using Palm.Cache;
using Palm.Cache.Internal;
using Palm.Dispatch;
using Palm.Messages;
using Palm.Servers;
using AkkaCluster = Akka.Cluster.Cluster;
using static Akka.Cluster.ClusterEvent;

namespace Palm.Cluster.Internal;

/// <summary>
/// One per node, at <c>/user/palm</c>: starts the node's servers, tells every other node of the
/// cluster which servers it hosts, learns theirs, and keeps the node's <see cref="DirectoryView"/>
/// and its subscribers (clients, leaders) up to date. It is never on the data path.
/// </summary>
internal sealed class NodeActor : ReceiveActor
{
    public const string Name = "palm";

    private readonly PalmSettings _settings;
    private readonly DirectoryView _view;
    private readonly Transport.DataLanes _lanes = Transport.DataLanes.Get(Context.System);
    private readonly string _selfAddress;
    private readonly bool _clustered;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly List<ServerEntry> _local = [];
    private readonly Dictionary<Address, ServerEntry[]> _remote = new();
    private readonly HashSet<Address> _members = [];
    private readonly HashSet<IActorRef> _subscribers = [];
    private int _workerSequence;

    public NodeActor(PalmSettings settings, DirectoryView view, string selfAddress, bool clustered)
    {
        _settings = settings;
        _view = view;
        _selfAddress = selfAddress;
        _clustered = clustered;

        Receive<StartServer>(Start);
        Receive<NodeServers>(OnPeerServers);
        Receive<SubscribeDirectory>(_ =>
        {
            _subscribers.Add(Sender);
            Context.Watch(Sender);
            Sender.Tell(new DirectoryUpdate(_view.Current.All));
        });
        Receive<UnsubscribeDirectory>(_ =>
        {
            _subscribers.Remove(Sender);
            Context.Unwatch(Sender);
        });
        Receive<Terminated>(OnTerminated);
        Receive<MemberUp>(m => MemberAvailable(m.Member.Address));
        Receive<ReachableMember>(m => MemberAvailable(m.Member.Address));
        Receive<UnreachableMember>(m => MemberGone(m.Member.Address));
        Receive<MemberExited>(m => MemberGone(m.Member.Address));
        Receive<MemberRemoved>(m => MemberGone(m.Member.Address));
        Receive<GetSubscriberCount>(_ => Sender.Tell(_subscribers.Count));
    }

    protected override void PreStart()
    {
        if (_clustered)
            AkkaCluster.Get(Context.System).Subscribe(Self, SubscriptionInitialStateMode.InitialStateAsEvents,
                typeof(MemberUp), typeof(ReachableMember), typeof(UnreachableMember), typeof(MemberExited), typeof(MemberRemoved));
    }

    protected override void PostStop()
    {
        if (_clustered) AkkaCluster.Get(Context.System).Unsubscribe(Self);
    }

    private void Start(StartServer request)
    {
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
            cache = new LeaderCache(name, _view, _settings.AskTimeout);
        }
        else
        {
            var store = new ServerCache();
            cache = store;
            cacheActor = Context.ActorOf(Props.Create(() => new CacheActor(store)), $"cache-{name}");
        }
        instance.Attach(new ServerServices(name, log, cache, counters));
        var runtime = new ServerRuntime(name, instance, functions, counters, log, cache, _settings, _view, Self, _selfAddress, _lanes);
        var props = instance.CreateProps(runtime, role).WithDispatcher(_settings.ServerDispatcher);
        var actorName = role == ServerRole.Worker ? $"worker-{name}-{++_workerSequence}" : $"server-{name}";
        var server = Context.ActorOf(props, actorName);
        Context.Watch(server);
        return new ServerEntry(name, instance.TemplateName, role, server, cacheActor, functions.Names, _selfAddress);
    }

    private void OnPeerServers(NodeServers message)
    {
        var from = Sender.Path.Address;
        if (from.HasLocalScope) return;
        _remote[from] = message.Entries;
        if (message.ReplyWanted) Sender.Tell(new NodeServers(_local.ToArray(), false));
        Publish();
    }

    private void OnTerminated(Terminated t)
    {
        if (_subscribers.Remove(t.ActorRef)) return;
        if (_local.RemoveAll(e => e.Server.Equals(t.ActorRef)) > 0)
        {
            _log.Warning("Palm server actor {0} stopped; it is no longer in the directory.", t.ActorRef.Path);
            Announce();
            Publish();
        }
    }

    private void MemberAvailable(Address address)
    {
        if (address.Equals(AkkaCluster.Get(Context.System).SelfAddress)) return;
        _members.Add(address);
        PeerNode(address).Tell(new NodeServers(_local.ToArray(), true));
    }

    private void MemberGone(Address address)
    {
        _members.Remove(address);
        if (_remote.Remove(address)) Publish();
    }

    private void Announce()
    {
        var entries = _local.ToArray();
        foreach (var member in _members) PeerNode(member).Tell(new NodeServers(entries, false));
    }

    private ActorSelection PeerNode(Address address) =>
        Context.ActorSelection(new RootActorPath(address) / "user" / Name);

    private void Publish()
    {
        var snapshot = new DirectorySnapshot(_local.Concat(_remote.Values.SelectMany(e => e)));
        _view.Current = snapshot;
        var update = new DirectoryUpdate(snapshot.All);
        foreach (var subscriber in _subscribers) subscriber.Tell(update);
    }
}
