using Palm.Client;
using Palm.Messages;
using Xunit;

namespace Palm.Tests.Messages;

public sealed class RouteShapeTests
{
    private static RouteShape Shape() =>
        // trunk: 0, 1 (fork) | odd: 2 | even: 3, 4 | join: 5, 6
        new(1, [new RouteBranch("odd", 2, 3), new RouteBranch("even", 3, 5)], 5, 7);

    [Fact]
    public void Each_branch_continues_with_the_join_after_its_last_step()
    {
        var shape = Shape();
        Assert.Equal(5, shape.Next(2));
        Assert.Equal(4, shape.Next(3));
        Assert.Equal(5, shape.Next(4));
        Assert.Equal(6, shape.Next(5));
        Assert.Equal(7, shape.Next(6));
        Assert.Equal([-1, -1, 0, 1, 1, -1, -1], Enumerable.Range(0, 7).Select(shape.BranchOf));
    }

    [Fact]
    public void Skipping_follows_the_messages_own_branch_and_stops_at_the_client()
    {
        var shape = Shape();
        Assert.Equal(6, shape.Skip(2, 1, 7));
        Assert.Equal(5, shape.Skip(3, 1, 7));
        Assert.Equal(7, shape.Skip(3, 10, 7));
    }

    [Fact]
    public void A_job_route_lays_out_trunk_branches_and_join_flat()
    {
        var (steps, shape) = JobRoute.Of("a.f", "b.g").Branch("odd", "c.h").Branch("even", "d.i", "d.j").Join("e.k").Build();

        Assert.Equal(["a.f", "b.g", "c.h", "d.i", "d.j", "e.k"], steps.Select(s => s.ToString()));
        Assert.Equal((1, 5), (shape.Fork, shape.Join));
        Assert.Equal([new RouteBranch("odd", 2, 3), new RouteBranch("even", 3, 5)], shape.Branches);
    }

    [Theory]
    [InlineData("no branch")]
    [InlineData("empty branch")]
    [InlineData("same name")]
    [InlineData("bad step")]
    [InlineData("blank name")]
    public void A_malformed_job_route_is_refused_with_what_is_wrong(string mistake)
    {
        var route = mistake switch
        {
            "no branch" => JobRoute.Of("a.f"),
            "empty branch" => JobRoute.Of("a.f").Branch("x"),
            "same name" => JobRoute.Of("a.f").Branch("x", "b.g").Branch("x", "c.h"),
            "bad step" => JobRoute.Of("a.f").Branch("x", "nodot"),
            _ => JobRoute.Of("a.f").Branch(" ", "b.g"),
        };
        var e = Assert.Throws<PalmRouteException>(() => route.Build());
        Assert.False(string.IsNullOrWhiteSpace(e.Message));
    }
}
