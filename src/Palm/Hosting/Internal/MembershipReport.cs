using Akka.Actor;
using Akka.Cluster;
using Palm.Discovery;
using AkkaCluster = Akka.Cluster.Cluster;

namespace Palm.Hosting.Internal;

/// <summary>
/// A node's answer to <see cref="GetNodeStatus"/>: the cluster's members as this node sees them, and the members it saw
/// removed lately, so that a node that died and was downed is still listed as gone for a while instead of vanishing
/// from status without a trace. Used on the node actor's thread only.
/// </summary>
internal sealed class MembershipReport(ActorSystem system, string selfAddress, bool clustered)
{
    /// <summary>How many removed members are remembered: a rolling restart on random ports must not grow this without end.</summary>
    public const int MaxRemembered = 32;

    /// <summary>How long a removed member is listed: long enough for an operator to see what happened, not forever.</summary>
    public static readonly TimeSpan Remembered = TimeSpan.FromMinutes(10);

    private readonly Dictionary<Address, (MemberReport Report, DateTime At)> _removed = new();

    /// <summary>A member left the cluster for good (downed, or it left).</summary>
    public void Removed(Member member)
    {
        if (_removed.Count >= MaxRemembered && !_removed.ContainsKey(member.Address))
            _removed.Remove(_removed.MinBy(r => r.Value.At).Key);
        _removed[member.Address] = (new MemberReport(member.Address.ToString(), MemberStatus.Removed, false, member.Roles.Order().ToArray()), DateTime.UtcNow);
    }

    /// <summary>A member is back at an address (a node restarted on a fixed port): it is no longer gone.</summary>
    public void Available(Member member) => _removed.Remove(member.Address);

    /// <summary>What this node knows now; the cluster's state is a snapshot, read without asking anyone.</summary>
    public NodeReport Report()
    {
        var now = DateTime.UtcNow;
        foreach (var old in _removed.Where(r => now - r.Value.At > Remembered).Select(r => r.Key).ToArray()) _removed.Remove(old);
        if (!clustered)
            return new NodeReport(selfAddress, system.Uptime, false, [new MemberReport(selfAddress, MemberStatus.Up, true, [])]);
        var state = AkkaCluster.Get(system).State;
        var members = state.Members
            .Select(m => new MemberReport(m.Address.ToString(), m.Status, !state.Unreachable.Contains(m), m.Roles.Order().ToArray()))
            .ToList();
        var current = state.Members.Select(m => m.Address).ToHashSet();
        members.AddRange(_removed.Where(r => !current.Contains(r.Key)).Select(r => r.Value.Report));
        return new NodeReport(selfAddress, system.Uptime, true, members.ToArray());
    }
}
