using Akka.Actor;
using BenchmarkDotNet.Attributes;
using Palm.Bench.EndToEnd;
using Palm.Cache;
using Palm.Configuration;
using Palm.Discovery;
using Palm.Dispatch;
using Palm.Messages;
using Palm.Servers;
using Palm.Transport;

namespace Palm.Bench.Micro;

/// <summary>
/// The shared dispatch path on one batch, without the network: resolve the step, call the user's
/// function, split the weight and forward into the next server's outbox, then flush (what a serial
/// server does for every envelope it receives). Middle step: outputs go to the next server;
/// last step: outputs go to the client as results.
/// </summary>
public class DispatchBenchmarks
{
    private MicroFixture _fixture = null!;
    private UserCall _calls = null!;
    private Forwarder _forwarder = null!;
    private PipelineMessage[] _middle = null!, _last = null!;

    /// <summary>Batch size.</summary>
    [Params(1, 500)]
    public int Batch { get; set; }

    /// <summary>Builds a server runtime for server <c>s1</c> whose next step <c>s2</c> is a sink actor.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _fixture = new MicroFixture();
        var instance = new PassServer();
        var counters = new ServerCounters();
        var cache = new ServerCache();
        instance.Attach(new ServerServices("s1", _fixture.System.Log, cache, counters));
        var directory = new DirectoryView
        {
            Current = new DirectorySnapshot(new[] { "s0", "s1", "s2" }.Select(n =>
                new ServerEntry(n, "RegisteredServer", ServerRole.Standalone, _fixture.Sink, ActorRefs.Nobody, ["pass", "echo"], "local")))
        };
        var runtime = new ServerRuntime("s1", instance, FunctionTable.For(typeof(PassServer)), counters, _fixture.System.Log, cache,
            PalmSettings.Default, ServerSettings.Default, directory, ActorRefs.Nobody, "local", Palm.Transport.DataLanes.Get(_fixture.System));
        _calls = new UserCall(runtime);
        _forwarder = new Forwarder(runtime, _fixture.Sink, _fixture.System.Scheduler);
        _middle = MicroFixture.Messages(_fixture.Header(), Batch, 100, stage: 1);
        var lastHeader = new JobHeader(Guid.NewGuid(), _fixture.Sink, [new Step("s0", "pass"), new Step("s1", "pass")], null, null);
        _last = MicroFixture.Messages(lastHeader, Batch, 100, stage: 1);
    }

    /// <summary>Stops the actor system.</summary>
    [GlobalCleanup]
    public void Cleanup() => _fixture.Dispose();

    /// <summary>Per message: a middle step forwarding to the next server.</summary>
    [Benchmark]
    public void MiddleStep() => Run(_middle);

    /// <summary>Per message: the last step returning results to the client.</summary>
    [Benchmark]
    public void LastStep() => Run(_last);

    private void Run(PipelineMessage[] messages)
    {
        foreach (var m in messages)
        {
            if (!_calls.TryResolve(m, out var function, out var error)) throw new InvalidOperationException(error.ToString());
            var outcome = _calls.Function(function, m);
            _forwarder.Emit(m, outcome.Result);
        }
        _forwarder.Flush();
    }
}
