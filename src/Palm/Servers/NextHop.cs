using Palm.Messages;

namespace Palm.Servers;

/// <summary>
/// Where an output goes next, as decided by <see cref="PalmServer.OnOutput"/> (pylm's <c>handle_stream</c>).
/// </summary>
public readonly struct NextHop
{
    internal enum HopKind : byte { Continue, Drop, Finish, GoTo, Divert }

    internal HopKind Kind { get; }
    internal int Stage { get; }
    internal Step[]? Steps { get; }

    private NextHop(HopKind kind, int stage = 0, Step[]? steps = null)
    {
        Kind = kind;
        Stage = stage;
        Steps = steps;
    }

    /// <summary>To the next step of the route (the default).</summary>
    public static NextHop Continue => default;

    /// <summary>Nowhere: the output is discarded (the job still completes).</summary>
    public static NextHop Drop => new(HopKind.Drop);

    /// <summary>Straight to the client, skipping the rest of the route.</summary>
    public static NextHop Finish => new(HopKind.Finish);

    /// <summary>To the step at index <paramref name="stage"/> of the route (forward or back).</summary>
    public static NextHop GoTo(int stage) =>
        stage >= 0 ? new(HopKind.GoTo, stage) : throw new ArgumentOutOfRangeException(nameof(stage), stage, "A stage is a route index, 0 or more.");

    /// <summary>Skips <paramref name="steps"/> steps after the current one.</summary>
    public static NextHop Skip(int steps) =>
        steps >= 0 ? new(HopKind.GoTo, -1 - steps) : throw new ArgumentOutOfRangeException(nameof(steps), steps, "Cannot skip a negative number of steps.");

    /// <summary>Replaces the rest of the route with <paramref name="steps"/> (<c>server.function</c> each).</summary>
    /// <exception cref="PalmRouteException">A step is malformed.</exception>
    public static NextHop Divert(params string[] steps) => new(HopKind.Divert, 0, steps.Select(Step.Parse).ToArray());

    /// <summary>The stage the output goes to from <paramref name="current"/>, given the route's length; null means drop.</summary>
    internal int? Resolve(int current, int routeLength) => Kind switch
    {
        HopKind.Continue => current + 1,
        HopKind.Drop => null,
        HopKind.Finish => routeLength,
        HopKind.GoTo when Stage < 0 => Math.Min(routeLength, current + 1 + (-1 - Stage)),
        HopKind.GoTo => Math.Min(routeLength, Stage),
        _ => current + 1,
    };
}
