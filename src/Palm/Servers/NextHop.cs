using Palm.Messages;

namespace Palm.Servers;

/// <summary>
/// Where an output goes next, as decided by <see cref="PalmServer.OnOutput"/> (pylm's <c>handle_stream</c>): on along the
/// route, elsewhere in it, to other servers, to some branches of a fork, or nowhere; with its own payload
/// (<see cref="WithPayload"/>), or as several messages (<see cref="Several"/>).
/// </summary>
public readonly struct NextHop
{
    internal enum HopKind : byte { Continue, Drop, Finish, GoTo, Divert, Branch, Several }

    internal HopKind Kind { get; private init; }
    internal int Stage { get; private init; }
    internal Step[]? Steps { get; private init; }
    internal string[]? BranchNames { get; private init; }
    internal string? BranchName { get; private init; }
    internal NextHop[]? Hops { get; private init; }
    internal bool HasPayload { get; private init; }
    internal ReadOnlyMemory<byte> Payload { get; private init; }

    /// <summary>To the next step of the route (the default); at the fork of a <c>JobRoute</c>, to every branch.</summary>
    public static NextHop Continue => default;

    /// <summary>Nowhere: the output is discarded (the job still completes).</summary>
    public static NextHop Drop => new() { Kind = HopKind.Drop };

    /// <summary>Straight to the client, skipping the rest of the route.</summary>
    public static NextHop Finish => new() { Kind = HopKind.Finish };

    /// <summary>To the step at index <paramref name="stage"/> of the route (forward or back).</summary>
    public static NextHop GoTo(int stage) =>
        stage >= 0 ? new() { Kind = HopKind.GoTo, Stage = stage } : throw new ArgumentOutOfRangeException(nameof(stage), stage, "A stage is a route index, 0 or more.");

    /// <summary>Skips <paramref name="steps"/> steps after the current one (along the message's own branch).</summary>
    public static NextHop Skip(int steps) =>
        steps >= 0 ? new() { Kind = HopKind.GoTo, Stage = -1 - steps } : throw new ArgumentOutOfRangeException(nameof(steps), steps, "Cannot skip a negative number of steps.");

    /// <summary>Replaces the rest of the route with <paramref name="steps"/> (<c>server.function</c> each); the message leaves its branch.</summary>
    /// <exception cref="PalmRouteException">A step is malformed.</exception>
    public static NextHop Divert(params string[] steps) => new() { Kind = HopKind.Divert, Steps = steps.Select(Step.Parse).ToArray() };

    /// <summary>
    /// At the fork of a <c>JobRoute</c> (its last trunk step): to the branches named <paramref name="names"/> only (none: the
    /// output is dropped). A name the job's route does not have makes the output an error naming the branches it has.
    /// </summary>
    public static NextHop Branch(params string[] names)
    {
        ArgumentNullException.ThrowIfNull(names);
        return new() { Kind = HopKind.Branch, BranchNames = names };
    }

    /// <summary>At the fork of a <c>JobRoute</c>: to the branch named <paramref name="name"/> only (the split's common case, without an array).</summary>
    public static NextHop Branch(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return new() { Kind = HopKind.Branch, BranchName = name };
    }

    /// <summary>
    /// Several messages from one output, each going where its hop says with its own payload (<see cref="WithPayload"/>) or
    /// the output's: a tee to other servers, one output made into many, a message and a copy for a log.
    /// </summary>
    public static NextHop Several(params NextHop[] hops)
    {
        ArgumentNullException.ThrowIfNull(hops);
        // Nested ones are flattened: each hop is one message.
        var flat = hops.SelectMany(h => h.Kind == HopKind.Several ? h.Hops! : [h]).ToArray();
        return flat.Length == 1 ? flat[0] : new() { Kind = HopKind.Several, Hops = flat };
    }

    /// <summary>The same hop, carrying <paramref name="payload"/> in place of the function's output.</summary>
    public NextHop WithPayload(ReadOnlyMemory<byte> payload) =>
        Kind == HopKind.Several
            ? throw new InvalidOperationException("Give each hop of NextHop.Several its own payload.")
            : this with { HasPayload = true, Payload = payload };

    /// <summary>The branches chosen, by name (one or many).</summary>
    internal IEnumerable<string> ChosenBranches => BranchName is not null ? [BranchName] : BranchNames!;

    /// <summary>The stage the output goes to from <paramref name="current"/>, given the route's length and shape; null means drop.</summary>
    internal int? Resolve(int current, int routeLength, RouteShape? shape) => Kind switch
    {
        HopKind.Drop => null,
        HopKind.Finish => routeLength,
        HopKind.GoTo when Stage < 0 => shape is null ? Math.Min(routeLength, current + 1 + (-1 - Stage)) : shape.Skip(current, -1 - Stage, routeLength),
        HopKind.GoTo => Math.Min(routeLength, Stage),
        _ => shape?.Next(current) ?? current + 1,
    };
}
