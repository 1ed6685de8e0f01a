using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using static Akka.Cluster.ClusterEvent;

namespace Palm.Hosting.Internal;

/// <summary>
/// Keeps this node's view of membership and reachability from cluster events and applies
/// <see cref="DowningDecision"/> on a short tick. Runs on every node as a child of the cluster daemon.
/// </summary>
internal sealed class DowningActor : ReceiveActor, IWithTimers
{
    private readonly DowningSettings _settings;
    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<UniqueAddress, Member> _members = new();
    private readonly Dictionary<UniqueAddress, long> _unreachableSince = new();
    private readonly HashSet<UniqueAddress> _downed = new();
    private long _coreChangedAt = Environment.TickCount64;

    public DowningActor(DowningSettings settings)
    {
        _settings = settings;
        Receive<CurrentClusterState>(state =>
        {
            foreach (var m in state.Members) Update(m);
            foreach (var m in state.Unreachable) Unreachable(m);
        });
        Receive<IMemberEvent>(e =>
        {
            if (e is MemberRemoved) Remove(e.Member);
            else Update(e.Member);
        });
        Receive<UnreachableMember>(e => Unreachable(e.Member));
        Receive<ReachableMember>(e =>
        {
            if (_unreachableSince.Remove(e.Member.UniqueAddress) && e.Member.HasRole(NodeOptions.CoreRole)) CoreChanged();
        });
        Receive<Tick>(_ => Decide());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart()
    {
        _cluster.Subscribe(Self, InitialStateAsSnapshot, typeof(IMemberEvent), typeof(IReachabilityEvent));
        // A fifth of the shorter wait: a decision is at most 20% late.
        var shorter = _settings.UnreachableWorkersAfter < _settings.StableAfter ? _settings.UnreachableWorkersAfter : _settings.StableAfter;
        var tick = TimeSpan.FromTicks(Math.Clamp(shorter.Ticks / 5, TimeSpan.FromMilliseconds(50).Ticks, TimeSpan.FromSeconds(1).Ticks));
        Timers.StartPeriodicTimer(nameof(Tick), Tick.Instance, tick);
    }

    protected override void PostStop() => _cluster.Unsubscribe(Self);

    private void Update(Member m)
    {
        var known = _members.TryGetValue(m.UniqueAddress, out var before);
        _members[m.UniqueAddress] = m;
        if (m.HasRole(NodeOptions.CoreRole) && (!known || before!.Status != m.Status)) CoreChanged();
    }

    private void Remove(Member m)
    {
        _members.Remove(m.UniqueAddress);
        _unreachableSince.Remove(m.UniqueAddress);
        _downed.Remove(m.UniqueAddress);
        if (m.HasRole(NodeOptions.CoreRole)) CoreChanged();
    }

    private void Unreachable(Member m)
    {
        if (m.UniqueAddress.Equals(_cluster.SelfUniqueAddress)) return;
        if (!_members.ContainsKey(m.UniqueAddress)) Update(m);
        if (_unreachableSince.TryAdd(m.UniqueAddress, Environment.TickCount64) && m.HasRole(NodeOptions.CoreRole)) CoreChanged();
    }

    private void CoreChanged() => _coreChangedAt = Environment.TickCount64;

    private void Decide()
    {
        var now = Environment.TickCount64;
        var self = _cluster.SelfUniqueAddress;
        foreach (var target in DowningDecision.Decide(self, View(), _unreachableSince, _coreChangedAt, now, _settings))
        {
            if (!_downed.Add(target)) continue;
            var isCore = _members[target].HasRole(NodeOptions.CoreRole);
            if (target.Equals(self))
                _log.Warning("Palm downing: this node ({0}) is on the minority side of a split or reaches no core member; it leaves the cluster.", self.Address);
            else
                _log.Warning("Palm downing: {0} {1} has been unreachable for {2:F1} s; downing it.", isCore ? "core member" : "worker",
                    target.Address, (now - _unreachableSince.GetValueOrDefault(target, now)) / 1000.0);
            _cluster.Down(target.Address);
        }
    }

    /// <summary>The members with their age as a rank (Akka keeps the up-number to itself; its age ordering is public).</summary>
    private List<DowningMember> View()
    {
        var ranked = _members.Values.OrderBy(m => m, Member.AgeOrdering).ToList();
        return ranked.Select((m, rank) => new DowningMember(m.UniqueAddress, m.HasRole(NodeOptions.CoreRole), m.Status,
            m.Status is MemberStatus.Joining or MemberStatus.WeaklyUp ? int.MaxValue : rank)).ToList();
    }

    private sealed class Tick
    {
        public static readonly Tick Instance = new();
    }
}
