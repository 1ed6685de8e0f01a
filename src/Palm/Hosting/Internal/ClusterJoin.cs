using System.Collections.Concurrent;
using System.Diagnostics;
using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using Akka.Remote;
using Palm.Messages;
using AkkaCluster = Akka.Cluster.Cluster;

namespace Palm.Hosting.Internal;

/// <summary>
/// A node's way into its cluster, watched: it joins its seeds (or founds a cluster) and says how, or fails after the connect
/// timeout naming every seed. Nodes are created <see cref="WithoutSeeds"/> so that the join starts only once the watcher
/// listens (docs/internals.md#clusterjoin).
/// </summary>
internal sealed class ClusterJoin
{
    private readonly AkkaCluster _cluster;
    private readonly IReadOnlyList<Address> _seeds;
    private readonly TaskCompletionSource<string> _member = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<Address, string> _seen = new();
    private readonly IActorRef _watcher;

    private ClusterJoin(ActorSystem system, IReadOnlyList<Address> seeds)
    {
        _cluster = AkkaCluster.Get(system);
        _seeds = seeds;
        _watcher = system.ActorOf(Props.Create(() => new Watcher(this)));
    }

    /// <summary>The seed nodes of <paramref name="config"/> (<c>akka.cluster.seed-nodes</c>), in order.</summary>
    /// <exception cref="ConfigurationException">A seed is not an actor system address.</exception>
    public static IReadOnlyList<Address> SeedsOf(Config config) =>
        config.GetStringList("akka.cluster.seed-nodes").Select(s =>
        {
            try
            {
                return Address.Parse(s);
            }
            catch (Exception e) when (e is UriFormatException or ArgumentException or FormatException)
            {
                throw new ConfigurationException($"akka.cluster.seed-nodes: '{s}' is not an address like akka.tcp://palm@127.0.0.1:4053 ({e.Message}).");
            }
        }).ToArray();

    /// <summary><paramref name="config"/> with no seed nodes: the node is created unjoined, and <see cref="StartAsync"/> joins.</summary>
    public static Config WithoutSeeds(Config config) => ConfigurationFactory.ParseString("akka.cluster.seed-nodes = []").WithFallback(config);

    /// <summary>Starts listening, then joining <paramref name="seeds"/> (none: founds a new cluster).</summary>
    public static async Task<ClusterJoin> StartAsync(ActorSystem system, IReadOnlyList<Address> seeds)
    {
        var join = new ClusterJoin(system, seeds);
        // The watcher subscribes in PreStart; an answer to Identify proves it has.
        await join._watcher.Ask<ActorIdentity>(new Identify(null), TimeSpan.FromSeconds(10));
        if (seeds.Count == 0) join._cluster.Join(join._cluster.SelfAddress);
        else join._cluster.JoinSeedNodes(seeds);
        return join;
    }

    /// <summary>
    /// Waits until the node is a member (WeaklyUp or Up) and returns how it became one, e.g. "founding a new
    /// cluster (no seed nodes configured)" or "joined through seed node akka.tcp://palm@10.0.0.1:4053".
    /// </summary>
    /// <exception cref="PalmConnectException">The node is not a member after <paramref name="timeout"/>; the message names the seeds and what trying each met.</exception>
    public async Task<string> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            return await _member.Task.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException e)
        {
            throw new PalmConnectException(Failure(clock.Elapsed, timeout), e);
        }
        finally
        {
            _cluster.System.Stop(_watcher);
        }
    }

    private string Failure(TimeSpan elapsed, TimeSpan timeout)
    {
        var self = _cluster.SelfAddress;
        var within = $"within {elapsed.TotalSeconds:0.0} s (palm.connect-timeout = {timeout.TotalSeconds:0.#} s)";
        if (_seeds.Count == 0) return $"Node {self} could not found a cluster of its own {within}.";
        var tried = string.Join("; ", _seeds.Select(s => $"{s}: {What(s)}"));
        return $"Node {self} could not join the cluster of its seed nodes {within}; tried {tried}. "
               + "A node given other seed nodes never founds a cluster of its own: start the first seed node, or correct --seed (akka.cluster.seed-nodes).";
    }

    private string What(Address seed)
    {
        var self = _cluster.SelfAddress;
        if (seed.Equals(self)) return "this node itself (only the first seed node may found the cluster)";
        if (seed.System != self.System) return $"its system name is '{seed.System}', this node's is '{self.System}' (palm.system-name)";
        if (seed.Protocol != self.Protocol) return $"its protocol is {seed.Protocol}, this node's is {self.Protocol} (akka.ssl.tcp with palm.tls on, akka.tcp without)";
        return _seen.TryGetValue(seed, out var what) ? what : "no association with it (nothing listens there, or it refused this node, e.g. its certificate: see that node's log)";
    }

    private void Heard(Address remote, string what)
    {
        foreach (var seed in _seeds)
            if (seed.Equals(remote) || (seed.Host == remote.Host && seed.Port == remote.Port))
                _seen[seed] = what;
    }

    /// <summary>How the node became a member, once it is one, given the first leader it saw.</summary>
    private string Became(Address firstLeader, IReadOnlyCollection<Member> members)
    {
        var self = _cluster.SelfAddress;
        // The node that founds a cluster is its first leader, alone in it; a node that joins others learns of their leader.
        if (firstLeader.Equals(self))
        {
            if (_seeds.Count == 0) return "founding a new cluster (no seed nodes configured)";
            return _seeds.Count == 1
                ? "founding a new cluster (it is the only seed node)"
                : $"founding a new cluster (it is the first seed node, and none of {string.Join(", ", _seeds.Skip(1))} answered)";
        }
        var through = _seeds.Where(s => !s.Equals(self) && members.Any(m => m.Address.Equals(s))).ToArray();
        var size = $"{members.Count} members";
        return through.Length > 0
            ? $"joined through seed node{(through.Length > 1 ? "s" : "")} {string.Join(", ", through)} ({size})"
            : $"joined the cluster led by {firstLeader} ({size})";
    }

    private sealed class Watcher : ReceiveActor
    {
        private readonly ClusterJoin _join;
        private readonly Dictionary<Address, Member> _members = new();
        private Address? _firstLeader;

        public Watcher(ClusterJoin join)
        {
            _join = join;
            Receive<ClusterEvent.LeaderChanged>(e =>
            {
                _firstLeader ??= e.Leader;
                Check();
            });
            Receive<ClusterEvent.MemberRemoved>(e => _members.Remove(e.Member.Address));
            Receive<ClusterEvent.IMemberEvent>(e =>
            {
                _members[e.Member.Address] = e.Member;
                Check();
            });
            Receive<AssociationErrorEvent>(e => join.Heard(e.RemoteAddress, Cause(e.Cause)));
            Receive<AssociatedEvent>(e => join.Heard(e.RemoteAddress,
                "connected, but it did not let this node join (it is not a member of a cluster yet, or it refused the join: see its log)"));
        }

        private void Check()
        {
            if (_firstLeader is not null && _members.TryGetValue(_join._cluster.SelfAddress, out var self) && self.Status is MemberStatus.Up or MemberStatus.WeaklyUp)
                _join._member.TrySetResult(_join.Became(_firstLeader, _members.Values));
        }

        protected override void PreStart()
        {
            _join._cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
                typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.LeaderChanged));
            Context.System.EventStream.Subscribe(Self, typeof(AssociationErrorEvent));
            Context.System.EventStream.Subscribe(Self, typeof(AssociatedEvent));
        }

        protected override void PostStop()
        {
            _join._cluster.Unsubscribe(Self);
            Context.System.EventStream.Unsubscribe(Self);
        }

        /// <summary>The innermost message of an association failure (e.g. "Connection refused 127.0.0.1:4053").</summary>
        private static string Cause(Exception? e)
        {
            var message = "the connection failed";
            for (var current = e; current is not null; current = current.InnerException)
                if (!string.IsNullOrWhiteSpace(current.Message)) message = current.Message;
            return message.ReplaceLineEndings(" ");
        }
    }
}
