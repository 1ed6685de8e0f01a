namespace Palm.Messages;

/// <summary>
/// The shape of a job whose route forks, laid out flat in <see cref="JobHeader.Route"/> as trunk, branches and join. Stages
/// keep their flat index, so a join step is one stage for all branches (docs/internals.md#routeshape).
/// </summary>
internal sealed class RouteShape
{
    /// <summary>Most branches a fork may have (a result carries its branch in one byte).</summary>
    public const int MaxBranches = 254;

    public RouteShape(int fork, IReadOnlyList<RouteBranch> branches, int join, int routeLength)
    {
        if (fork < 0 || branches.Count == 0 || branches.Count > MaxBranches)
            throw new ArgumentException($"A fork needs a trunk step and 1 to {MaxBranches} branches.");
        var next = fork + 1;
        foreach (var b in branches)
        {
            if (b.Start != next || b.End <= b.Start) throw new ArgumentException($"Branch '{b.Name}' is not laid out after the one before it.");
            next = b.End;
        }
        if (join != next || join > routeLength) throw new ArgumentException("The join does not follow the last branch.");
        Fork = fork;
        Branches = branches;
        Join = join;
        All = Enumerable.Range(0, branches.Count).ToArray();
    }

    /// <summary>Every branch's index, in order: a tee's choice, made once per route.</summary>
    public int[] All { get; }

    /// <summary>The stage whose outputs go to the branches (the last trunk step).</summary>
    public int Fork { get; }

    /// <summary>The branches, in the order the job gave them; each spans the stages [Start, End).</summary>
    public IReadOnlyList<RouteBranch> Branches { get; }

    /// <summary>The first stage of the join: where every branch goes after its last step (the route's length when none).</summary>
    public int Join { get; }

    /// <summary>The branch (index) that <paramref name="stage"/> belongs to; -1 for the trunk and the join.</summary>
    public int BranchOf(int stage)
    {
        if (stage <= Fork || stage >= Join) return -1;
        for (var i = 0; i < Branches.Count; i++)
            if (stage < Branches[i].End) return i;
        return -1;
    }

    /// <summary>The index of the branch named <paramref name="name"/>, or -1.</summary>
    public int IndexOf(string name)
    {
        for (var i = 0; i < Branches.Count; i++)
            if (string.Equals(Branches[i].Name, name, StringComparison.Ordinal)) return i;
        return -1;
    }

    /// <summary>The stage after <paramref name="stage"/> along its own branch (never called for the fork, which has one per branch).</summary>
    public int Next(int stage)
    {
        var branch = BranchOf(stage);
        return branch >= 0 && stage + 1 == Branches[branch].End ? Join : stage + 1;
    }

    /// <summary>The stage <paramref name="skipped"/> steps after the next one along the branch of <paramref name="stage"/>, at most <paramref name="routeLength"/>.</summary>
    public int Skip(int stage, int skipped, int routeLength)
    {
        var next = Next(stage);
        for (var i = 0; i < skipped && next < routeLength; i++) next = Next(next);
        return Math.Min(next, routeLength);
    }
}

/// <summary>One branch of a <see cref="RouteShape"/>: its name and its stages [<see cref="Start"/>, <see cref="End"/>).</summary>
internal readonly record struct RouteBranch(string Name, int Start, int End);
