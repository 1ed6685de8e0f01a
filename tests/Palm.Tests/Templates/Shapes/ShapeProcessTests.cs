using Palm.Client;
using Palm.Messages;
using Palm.Tests.Support;
using Palm.Tests.Templates.Parallel;
using Palm.Tests.Templates.Reduce;
using Xunit;

namespace Palm.Tests.Templates.Shapes;

/// <summary>A forked job whose branch loses its server, with every node its own OS process (the demo's servers).</summary>
[Trait(TestCategories.Category, TestCategories.Process)]
public sealed class ShapeProcessTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);

    private readonly DemoProcesses _nodes = new(DemoProcesses.FastFailureDetection, Wait);

    protected override void Dispose(bool disposing)
    {
        if (disposing) _nodes.Dispose();
        base.Dispose(disposing);
    }

    [Fact]
    public async Task A_branch_whose_server_is_killed_mid_job_is_named_while_the_other_branch_delivers_every_result()
    {
        var (_, seed) = await _nodes.StartAsync("seed");
        var started = await Task.WhenAll(
            _nodes.StartAsync("server", "a", "--seed", seed),
            _nodes.StartAsync("server", "b", "--seed", seed),
            _nodes.StartAsync("server", "c", "--seed", seed));
        var victim = started[2].Process;
        await using var client = await PalmClient.ConnectAsync(seed);
        await client.WaitForServersAsync(["a", "b", "c"], Wait);

        // Half the inputs, the kill of branch "right"'s only server, then the other half.
        const int count = 2000;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var route = JobRoute.Of("a.echo").Branch("left", "b.echo").Branch("right", "c.echo");
        var options = new JobOptions { Window = 4 * count, ProgressTimeout = TimeSpan.FromSeconds(3) };
        var left = new Dictionary<long, long>();
        var rightErrors = new List<JobResult>();
        var rightBefore = 0;
        PalmJobFailedException? failure = null;
        using var timeout = new CancellationTokenSource(Wait);
        try
        {
            await foreach (var r in client.RunJob(route, Jobs.Gated(count / 2, count / 2, gate.Task, i => Int64s.Bytes(i)), options, timeout.Token))
            {
                if (r.Branch == "left" && !r.IsError) left.Add(r.InputIndex, Int64s.Of(r.Payload));
                else if (r.Branch == "right" && r.IsError) rightErrors.Add(r);
                else if (r.Branch == "right" && ++rightBefore == count / 2 && !gate.Task.IsCompleted)
                {
                    // Every input so far went through both branches: now "right" loses its server while inputs keep coming.
                    victim.Kill();
                    gate.SetResult();
                }
            }
        }
        catch (PalmJobFailedException e)
        {
            failure = e;
        }

        Assert.True(gate.Task.IsCompleted, "the victim was killed mid-job");
        // The branch that lost its server is named, as a failure of the job or as error results of that branch.
        if (failure is not null)
        {
            Assert.Contains("branch 'right'", failure.Message);
            Assert.Contains("'c'", failure.Message);
            Assert.Equal("c", failure.Server);
        }
        else
        {
            Assert.NotEmpty(rightErrors);
            Assert.All(rightErrors, r => Assert.Equal("c", r.Error!.Server));
        }
        // The other branch was not held up: every input's result came, exactly once and right.
        Assert.Equal(Enumerable.Range(0, count).ToDictionary(i => (long)i, i => (long)i), left);
    }
}
