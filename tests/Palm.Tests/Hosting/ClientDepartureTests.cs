using Akka.Actor;
using Akka.Event;
using Palm.Client;
using Palm.Hosting.Internal;
using Palm.TestKit;
using Palm.Tests.Support;
using Xunit;

namespace Palm.Tests.Hosting;

/// <summary>A client that exits is not news on the servers it used.</summary>
[Trait(TestCategories.Category, TestCategories.Cluster)]
public sealed class ClientDepartureTests
{
    [Fact]
    public async Task A_client_that_exits_after_a_job_leaves_no_line_on_the_server_it_used()
    {
        await using var cluster = await PalmTestCluster.StartAsync();
        var server = await cluster.StartServerAsync<SuffixServer>("x");
        var warnings = new WarningCapture();
        var capture = server.System.ActorOf(Props.Create(() => new Capture(warnings)));
        server.System.EventStream.Subscribe(capture, typeof(Warning));

        var client = await PalmClient.ConnectAsync(cluster.Seed.Address);
        var clientAddress = ((ExtendedActorSystem)client.System).Provider.DefaultAddress.ToString();
        await foreach (var r in client.RunJob(["x.tag"], [Text.Bytes("one")]).WithTimeout(TimeSpan.FromSeconds(20)))
            Assert.False(r.IsError);
        // The server learns that the client is gone as Palm's sessions do: by DeathWatch, through a clean
        // disassociation or, when that is missed, its remote watcher's heartbeats (then Akka warns).
        var clientActor = await server.System.ActorSelection(client.Actor.Path.ToStringWithAddress(((ExtendedActorSystem)client.System).Provider.DefaultAddress)).ResolveOne(TimeSpan.FromSeconds(10));
        var gone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        server.System.ActorOf(Props.Create(() => new DeathWatcher(clientActor, gone)));
        await client.DisposeAsync();
        await gone.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // Everything Akka logged about the client reached the capture before this marker.
        var marker = $"marker {Guid.NewGuid()} {clientAddress}";
        server.System.EventStream.Publish(new Warning("test", typeof(ClientDepartureTests), marker));
        await Eventually.AssertAsync(() => Assert.Contains(warnings.About(clientAddress), e => e.Message.ToString() == marker), TimeSpan.FromSeconds(10));
        var written = warnings.About(clientAddress)
            .Where(e => e.Message.ToString() != marker && !PalmConsoleLogger.IsPeerDisassociation(e) && !PalmConsoleLogger.IsNonMemberGone(e, server.System.Name));
        Assert.Empty(written.Select(e => e.Message.ToString()));
    }

    [Fact]
    public void Warnings_about_a_system_of_another_name_going_away_are_left_out_and_about_a_member_kept()
    {
        var gated = new Warning("remoting (akka://palm)", typeof(object),
            "Tried to associate with unreachable remote address [akka.tcp://palm-client@127.0.0.1:39535]. Address is now gated for 5000 ms, all messages to this address will be delivered to dead letters. Reason: [Connection refused tcp://palm-client@127.0.0.1:39535] ");
        var unreachable = new Warning("akka.tcp://palm@127.0.0.1:38805/system/remote-watcher", typeof(object), "Detected unreachable: [akka.tcp://palm-client@127.0.0.1:39535]");
        Assert.True(PalmConsoleLogger.IsNonMemberGone(gated, "palm"));
        Assert.True(PalmConsoleLogger.IsNonMemberGone(unreachable, "palm"));

        var member = new Warning("remoting (akka://palm)", typeof(object),
            "Tried to associate with unreachable remote address [akka.tcp://palm@127.0.0.1:4053]. Address is now gated for 5000 ms. Reason: [Connection refused]");
        Assert.False(PalmConsoleLogger.IsNonMemberGone(member, "palm"));
        Assert.False(PalmConsoleLogger.IsNonMemberGone(new Warning("x", typeof(object), "Detected unreachable: [not an address]"), "palm"));
        Assert.False(PalmConsoleLogger.IsNonMemberGone(new Error(null, "x", typeof(object), "Detected unreachable: [akka.tcp://palm-client@h:1]"), "palm"));
    }

    private sealed class WarningCapture
    {
        private readonly List<LogEvent> _events = [];

        public void Add(LogEvent e)
        {
            lock (_events) _events.Add(e);
        }

        public IReadOnlyList<LogEvent> About(string address)
        {
            lock (_events) return _events.Where(e => e.Message?.ToString()?.Contains(address, StringComparison.Ordinal) == true).ToArray();
        }
    }

    private sealed class DeathWatcher : ReceiveActor
    {
        public DeathWatcher(IActorRef watched, TaskCompletionSource gone)
        {
            Context.Watch(watched);
            Receive<Terminated>(_ => gone.TrySetResult());
        }
    }

    private sealed class Capture : ReceiveActor
    {
        public Capture(WarningCapture warnings) => Receive<LogEvent>(warnings.Add);
    }
}
