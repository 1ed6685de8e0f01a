using Akka.Actor;
using Palm.Discovery;
using Palm.Hosting;
using Palm.Servers;
using Palm.TestKit;
using Palm.Tests.Support;
using Xunit;

namespace Palm.Tests.Templates.Parallel;

/// <summary>
/// A killed worker is noticed by DeathWatch before every node's directory drops it. The crash-storm failure of
/// 2026-11-28 (a leader silent for 30 s) was a leader re-adding such a worker on each directory update, and
/// each time leaving work with a dead actor until its watch fired again (docs/reliability.md, "Workers that die strand little").
/// </summary>
public sealed class LeaderStoppedWorkerTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_leader_never_takes_back_a_worker_it_saw_stop_while_a_stale_directory_still_lists_it()
    {
        await this.StartPalmParallelServerAsync<CrunchServer>("c", workers: 2);
        var node = PalmNode.Get(Sys);
        await node.WaitForServersAsync(["c"], Wait, minWorkers: 2);
        var stale = node.Directory.Current.All;
        var leader = node.Directory.Current.LeaderOf("c")!;
        var dead = stale.First(e => e.Role == ServerRole.Worker).Server;

        Watch(dead);
        Sys.Stop(dead);
        ExpectTerminated(dead, Wait);
        await AwaitAssertAsync(async () => Assert.Equal(1, (await Report(leader)).Workers), Wait);

        // What a node that has not yet seen the worker's node go still announces; the leader's own node publishes
        // nothing meanwhile, so this is the last word on the directory when the leader answers the status below.
        leader.Tell(new DirectoryUpdate(stale));
        Assert.Equal(1, (await Report(leader)).Workers);

        // Its work goes to the live worker alone: every input once.
        var client = await this.ConnectPalmClientAsync();
        Jobs.AssertExactlyOnce(await client.RunAll(["c.work"], Enumerable.Range(0, 300).Select(_ => new byte[] { 0 }), Wait), 300);
        Assert.Equal(1, (await Report(leader)).Workers);
    }

    private static Task<ServerReport> Report(IActorRef leader) => leader.Ask<ServerReport>(GetServerStatus.Instance, Wait);
}
