using Palm.Messages;

namespace Palm.Client;

/// <summary>
/// A route that forks: the trunk's steps, whose last step sends every output to each branch (a tee) unless its stream hook
/// chooses branches (<c>NextHop.Branch</c>); each branch a route of its own; and optionally join steps that every branch
/// continues with (a sink or a reduce there sees the messages of all branches). Results say which branch they left from
/// (<see cref="JobResult.Branch"/>), and the job completes when every branch has. See docs/shapes.md.
/// </summary>
/// <example><code>
/// var route = JobRoute.Of("numbers.read").Branch("odd", "odd.square").Branch("even", "even.half").Join("total.sum");
/// await foreach (var r in client.RunJob(route, inputs)) Console.WriteLine($"{r.Branch}: {r.Payload.Length} bytes");
/// </code></example>
public sealed class JobRoute
{
    private readonly string[] _trunk;
    private readonly List<(string Name, string[] Steps)> _branches = [];
    private string[] _join = [];

    private JobRoute(string[] trunk) => _trunk = trunk;

    /// <summary>Starts a route with its trunk: the steps every input goes through, the last of which forks.</summary>
    /// <param name="trunk">At least one step, <c>server.function</c> each.</param>
    public static JobRoute Of(params string[] trunk)
    {
        ArgumentNullException.ThrowIfNull(trunk);
        return new JobRoute(trunk);
    }

    /// <summary>Adds a branch named <paramref name="name"/> (unique in the route) with its own steps.</summary>
    /// <param name="name">The branch's name, as results and <c>NextHop.Branch</c> say it.</param>
    /// <param name="steps">At least one step, <c>server.function</c> each.</param>
    public JobRoute Branch(string name, params string[] steps)
    {
        ArgumentNullException.ThrowIfNull(steps);
        _branches.Add((name, steps));
        return this;
    }

    /// <summary>Sets the steps every branch continues with once its own are done.</summary>
    /// <param name="steps">Steps, <c>server.function</c> each.</param>
    public JobRoute Join(params string[] steps)
    {
        ArgumentNullException.ThrowIfNull(steps);
        _join = steps;
        return this;
    }

    /// <summary>The names of the branches, in the order they were added.</summary>
    public IReadOnlyList<string> Branches => _branches.Select(b => b.Name).ToArray();

    /// <inheritdoc />
    public override string ToString() =>
        $"{string.Join(" -> ", _trunk)} -> {{ {string.Join(" | ", _branches.Select(b => $"{b.Name}: {string.Join(" -> ", b.Steps)}"))} }}"
        + (_join.Length > 0 ? $" -> {string.Join(" -> ", _join)}" : "");

    /// <summary>The steps laid out flat (trunk, each branch, join) and the shape that says which is which.</summary>
    /// <exception cref="PalmRouteException">A step is malformed, the trunk or a branch is empty, there is no branch, or two branches share a name.</exception>
    internal (Step[] Steps, RouteShape Shape) Build()
    {
        var trunk = Step.ParseRoute(_trunk);
        if (_branches.Count == 0)
            throw new PalmRouteException($"Route {this} forks into no branch; add one with Branch(name, steps), or run a plain route.");
        if (_branches.Count > RouteShape.MaxBranches)
            throw new PalmRouteException($"Route has {_branches.Count} branches; a fork has at most {RouteShape.MaxBranches}.");
        var steps = new List<Step>(trunk);
        var branches = new List<RouteBranch>(_branches.Count);
        foreach (var (name, branchSteps) in _branches)
        {
            if (string.IsNullOrWhiteSpace(name))
                throw new PalmRouteException("A branch needs a name (results and NextHop.Branch name it).");
            if (branches.Any(b => b.Name == name))
                throw new PalmRouteException($"Two branches are named '{name}'; each branch needs a name of its own.");
            if (branchSteps.Length == 0)
                throw new PalmRouteException($"Branch '{name}' has no steps; give it at least one 'server.function'.");
            var start = steps.Count;
            steps.AddRange(branchSteps.Select(Step.Parse));
            branches.Add(new RouteBranch(name, start, steps.Count));
        }
        var join = steps.Count;
        steps.AddRange(_join.Select(Step.Parse));
        return (steps.ToArray(), new RouteShape(trunk.Length - 1, branches, join, steps.Count));
    }
}
