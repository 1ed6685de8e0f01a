using Akka.Actor;
using Palm.Client;
using Palm.Client.Internal;
using Palm.Configuration;
using Palm.Discovery;
using Palm.Messages;
using Palm.Servers;
using Palm.Tests.Support;
using Xunit;

namespace Palm.Tests.Client;

/// <summary>
/// The client's progress timeout on an injected clock: a job owed results asks its route's servers after one
/// timeout of silence, and fails, naming its lost inputs, one timeout after they all answered; no waiting.
/// </summary>
public sealed class ProgressClockTests : Akka.TestKit.Xunit2.TestKit
{
    // Far longer than the test: only the injected clock can make it pass.
    private static readonly TimeSpan Timeout = TimeSpan.FromHours(1);

    [Fact]
    public async Task A_silent_job_asks_its_servers_after_one_timeout_on_the_clock_and_fails_after_another()
    {
        var time = new ManualTime();
        var server = CreateTestProbe();
        var view = new DirectoryView
        {
            Current = new DirectorySnapshot([new ServerEntry("a", "RegisteredServer", ServerRole.Standalone, server.Ref, ActorRefs.Nobody, ["echo"], "test")]),
        };
        var client = Sys.ActorOf(Props.Create(() => new ClientActor(CreateTestProbe().Ref, view, new TaskCompletionSource(), PalmSettings.Default, ClientSettings.Default,
            new ClientCounters(), true, time)));
        var job = new JobState(new JobHeader(Guid.NewGuid(), client, [new Step("a", "echo")], null, null), ["a"], Timeout);
        job.MarkIssued(1);
        client.Tell(new RegisterJob(job));
        // The first tick notes where the job stands (its oldest input): the quiet time counts from there.
        client.Tell(ProgressTick.Instance);
        await AwaitAssertAsync(() => Assert.Equal(0, job.Watch.Mark.Input));

        time.Advance(Timeout - TimeSpan.FromMilliseconds(1));
        client.Tell(ProgressTick.Instance);
        server.ExpectNoMsg(TimeSpan.FromMilliseconds(100));

        time.Advance(TimeSpan.FromMilliseconds(1));
        client.Tell(ProgressTick.Instance);
        server.ExpectMsg<GetServerStatus>();
        server.Reply("alive");
        await AwaitAssertAsync(() => Assert.Equal(ProgressPhase.Confirming, job.Watch.Phase));

        time.Advance(Timeout);
        client.Tell(ProgressTick.Instance);
        var e = await job.Events.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        var failure = Assert.IsType<PalmJobFailedException>(e.Failure);
        Assert.Contains("0", failure.Message);
    }
}
