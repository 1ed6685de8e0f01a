using Akka.Cluster;

namespace Palm.Hosting.Internal;

/// <summary>One member as the downing rules see it.</summary>
/// <param name="Address">The member's address.</param>
/// <param name="IsCore">Holds entry points (<see cref="NodeOptions.CoreRole"/>): counted in split-brain decisions.</param>
/// <param name="Status">Its membership status.</param>
/// <param name="AgeRank">Its age rank: lower is older (members not yet up have <see cref="int.MaxValue"/>).</param>
internal sealed record DowningMember(UniqueAddress Address, bool IsCore, MemberStatus Status, int AgeRank);

/// <summary>
/// Palm's downing rules as a pure function of one node's view (see <see cref="PalmDowningProvider"/> and
/// docs/reliability.md). Workers are downed on their own, quickly and without counting; only core members vote
/// on a split, and the side with more of them (on a tie, the side with the oldest) keeps the cluster.
/// </summary>
internal static class DowningDecision
{
    /// <summary>The members this node should down now, itself last; empty most of the time.</summary>
    /// <param name="self">This node.</param>
    /// <param name="members">Every member this node knows, in any status.</param>
    /// <param name="unreachableSince">Members some node observes as unreachable, with when this node learnt it (ms ticks).</param>
    /// <param name="coreChangedAt">When the membership or reachability of core members last changed (ms ticks).</param>
    /// <param name="now">The current time (ms ticks).</param>
    /// <param name="settings">How long to wait before downing.</param>
    public static IReadOnlyList<UniqueAddress> Decide(UniqueAddress self, IReadOnlyCollection<DowningMember> members,
        IReadOnlyDictionary<UniqueAddress, long> unreachableSince, long coreChangedAt, long now, DowningSettings settings)
    {
        // This node never counts itself unreachable: what others think of it is their decision to make.
        bool Reachable(DowningMember m) => m.Address.Equals(self) || !unreachableSince.ContainsKey(m.Address);
        static bool Downable(DowningMember m) => m.Status is not (MemberStatus.Down or MemberStatus.Exiting or MemberStatus.Removed);
        var me = members.FirstOrDefault(m => m.Address.Equals(self));
        if (me is null || !Downable(me)) return [];
        var stable = now - coreChangedAt >= (long)settings.StableAfter.TotalMilliseconds;

        // Voters: core members that are up (a core node still joining cannot yet hold anything).
        var voters = members.Where(m => m.IsCore && m.Status is MemberStatus.Up or MemberStatus.Leaving).ToList();
        var reachableVoters = voters.Where(Reachable).ToList();

        if (!me.IsCore)
        {
            // A worker that has lost every entry point serves nobody; it leaves rather than wait to be downed.
            return voters.Count > 0 && reachableVoters.Count == 0 && stable ? [self] : [];
        }

        // One decider per side: the oldest voter this node can reach (downing is idempotent, this only saves gossip).
        var decider = Oldest(reachableVoters);
        if (decider is null || !decider.Address.Equals(self)) return [];

        if (reachableVoters.Count == voters.Count)
        {
            // No core member is missing, so this side is the cluster: an unreachable worker (or a core node
            // that is still joining) is simply gone. It is downed without waiting for membership to calm
            // down, so that a storm of dying workers never stacks up into a split-brain decision.
            var after = (long)settings.UnreachableWorkersAfter.TotalMilliseconds;
            return members.Where(m => Downable(m) && !Reachable(m) && now - unreachableSince[m.Address] >= after)
                .Select(m => m.Address).ToList();
        }

        if (!stable) return [];
        var oldest = Oldest(voters)!;
        var keep = reachableVoters.Count * 2 > voters.Count || (reachableVoters.Count * 2 == voters.Count && Reachable(oldest));
        if (keep)
            return members.Where(m => Downable(m) && !Reachable(m)).Select(m => m.Address).ToList();
        // The minority downs its core members only: a worker it can still reach may be reachable from the
        // majority too, and a worker that is not downs itself (above) once it reaches no core member.
        return reachableVoters.Where(m => !m.Address.Equals(self)).Select(m => m.Address).Append(self).ToList();
    }

    private static DowningMember? Oldest(IEnumerable<DowningMember> members) =>
        members.OrderBy(m => m.AgeRank).ThenBy(m => m.Address.Address.ToString(), StringComparer.Ordinal).FirstOrDefault();
}
