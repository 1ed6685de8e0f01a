using Akka.Actor;
using Akka.Event;
using Palm.Cache;
using Palm.Configuration;
using Palm.Discovery;
using Palm.Dispatch;
using Palm.Messages;
using Palm.Servers;
using Palm.Tests.Support;
using Palm.Transport;
using Xunit;

namespace Palm.Tests.Dispatch;

/// <summary>
/// A forwarder's decisions by time, on an injected clock: an output for a server the directory does not
/// list waits exactly palm.server.unknown-server-wait, and a trickle of outputs leaves at least every hold.
/// </summary>
public sealed class ForwarderClockTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(3);
    private readonly ManualTime _time = new();
    private readonly DirectoryView _directory = new();
    private readonly Forwarder _forwarder;
    private readonly JobHeader _job;

    public ForwarderClockTests()
    {
        _directory.Current = Snapshot("s");
        var server = new EchoServer();
        var runtime = new ServerRuntime("s", server, FunctionTable.For(typeof(EchoServer)), new ServerCounters(), Logging.GetLogger(Sys, "s"),
            new ServerCache(), PalmSettings.Default, ServerSettings.Default with { UnknownServerWait = Wait }, _directory, ActorRefs.Nobody, "test", DataLanes.Get(Sys), _time);
        // RetryHeldOutputs would go to the owner actor: the test calls RetryHeld itself.
        _forwarder = new Forwarder(runtime, ActorRefs.Nobody, Sys.Scheduler);
        _job = new JobHeader(Guid.NewGuid(), TestActor, [new Step("s", "echo"), new Step("x", "echo")], null, null);
    }

    private DirectorySnapshot Snapshot(params string[] names) =>
        new(names.Select(n => new ServerEntry(n, "RegisteredServer", ServerRole.Standalone, n == "x" ? TestActor : ActorRefs.Nobody, ActorRefs.Nobody, ["echo"], "test")));

    private void EmitOutput(long input)
    {
        var message = new PipelineMessage(_job, 0, input, Weights.Whole, new byte[] { (byte)input });
        _forwarder.Emit(message, StepOutcome.Of([message.Payload]));
        _forwarder.Flush();
    }

    [Fact]
    public void An_output_for_an_unlisted_server_fails_once_the_wait_has_passed_on_the_clock_naming_server_and_wait()
    {
        EmitOutput(1);
        _time.Advance(Wait - TimeSpan.FromMilliseconds(1));
        _forwarder.RetryHeld();
        _time.Advance(TimeSpan.FromMilliseconds(1));
        _forwarder.RetryHeld();

        // Only one result, the error, whatever the first retry did: nothing else was sent to the client.
        var item = Assert.Single(ExpectMsg<ResultBatch>().Items);
        Assert.Equal(ResultKind.Error, item.Kind);
        Assert.Equal(PalmErrorKind.UnknownServer, item.Error!.Kind);
        Assert.Contains("server 'x'", item.Error.Message);
        Assert.Contains("palm.server.unknown-server-wait", item.Error.Message);
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void Held_outputs_go_on_in_order_once_the_directory_lists_their_server_within_the_wait()
    {
        EmitOutput(1);
        EmitOutput(2);
        _time.Advance(Wait - TimeSpan.FromMilliseconds(1));
        _directory.Current = Snapshot("s", "x");
        _forwarder.RetryHeld();

        var delivered = ExpectMsg<Deliver>().Messages;
        Assert.Equal([1L, 2L], delivered.Select(m => m.InputId));
        Assert.All(delivered, m => Assert.Equal(1, m.Stage));
    }

    private sealed class EchoServer : RegisteredServer;
}
