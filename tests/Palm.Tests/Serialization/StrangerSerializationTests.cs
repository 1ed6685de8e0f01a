using System.Diagnostics;
using System.Threading.Channels;
using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using Palm.Discovery;
using Palm.Hosting;
using Palm.Hosting.Internal;
using Palm.Serialization;
using Palm.Servers;
using Palm.Tests.Support;
using Xunit;

namespace Palm.Tests.Serialization;

/// <summary>A message type a stranger sends in Akka's JSON; counts the objects built (JSON calls the constructor).</summary>
public sealed class JsonTrap
{
    private static int _built;

    public JsonTrap() => Interlocked.Increment(ref _built);

    public string Command { get; set; } = "calc";

    /// <summary>How many were built, in the whole test run.</summary>
    public static int Built => Volatile.Read(ref _built);
}

/// <summary>An actor that counts how often it is created (a remote deployment would create one).</summary>
public sealed class TrapActor : ReceiveActor
{
    private static int _built;

    public TrapActor()
    {
        Interlocked.Increment(ref _built);
        ReceiveAny(_ => { });
    }

    /// <summary>How many were created, in the whole test run.</summary>
    public static int Built => Volatile.Read(ref _built);
}

/// <summary>
/// A stranger system (remote provider, its own serializers: Hyperion for everything, Akka's JSON for
/// one type) sends a Palm node messages of arbitrary types: the node refuses each at deserialization,
/// builds nothing, and goes on receiving what it can read.
/// </summary>
[Trait(TestCategories.Category, TestCategories.Cluster)]
public sealed class StrangerSerializationTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private ActorSystem _node = null!;
    private ActorSystem _stranger = null!;
    private readonly Channel<string> _warnings = Channel.CreateUnbounded<string>();
    private readonly Channel<object> _received = Channel.CreateUnbounded<object>();

    public Task InitializeAsync()
    {
        _node = ActorSystem.Create("palm", ControlSerializerTests.NodeConfig);
        _ = PalmNode.Get(_node);
        _node.EventStream.Subscribe(_node.ActorOf(Props.Create(() => new Collector(_warnings.Writer))), typeof(Warning));
        _node.ActorOf(Props.Create(() => new Inbox(_received.Writer)), "target");
        _stranger = ActorSystem.Create("stranger", ConfigurationFactory.ParseString("""
            akka.actor.provider = remote
            akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
            akka.loglevel = ERROR
            akka.stdout-loglevel = ERROR
            akka.actor.serializers.hyperion = "Akka.Serialization.HyperionSerializer, Akka.Serialization.Hyperion"
            akka.actor.serialization-bindings {
              "System.Object" = hyperion
              "Palm.Tests.Serialization.JsonTrap, Palm.Tests" = json
            }
            akka.actor.serialization-settings.hyperion.disallow-unsafe-type = false
            """));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _stranger.Terminate();
        await _node.Terminate();
    }

    private Address NodeAddress => ((ExtendedActorSystem)_node).Provider.DefaultAddress;

    private Task<IActorRef> Resolve(string path) =>
        _stranger.ActorSelection(new RootActorPath(NodeAddress) / "user" / path).ResolveOne(Wait);

    /// <summary>Waits for the node's warning that it refused bytes of serializer <paramref name="serializerId"/>.</summary>
    private async Task<string> Refusal(int serializerId)
    {
        using var timeout = new CancellationTokenSource(Wait);
        while (true)
        {
            var warning = await _warnings.Reader.ReadAsync(timeout.Token);
            if (warning.Contains($"Deserialization failed for message with serializer id [{serializerId}]", StringComparison.Ordinal)) return warning;
        }
    }

    /// <summary>Sends a string after the attack: the target's first message must be it, so the attack reached nobody.</summary>
    private async Task OnlyThePingArrives(IActorRef target)
    {
        target.Tell("ping");
        using var timeout = new CancellationTokenSource(Wait);
        Assert.Equal("ping", await _received.Reader.ReadAsync(timeout.Token));
        Assert.False(_received.Reader.TryRead(out var extra), $"unexpected {extra}");
    }

    [Fact]
    public async Task A_process_start_info_in_hyperion_is_refused_at_the_node()
    {
        var target = await Resolve("target");
        target.Tell(new ProcessStartInfo("calc") { UseShellExecute = true });

        await Refusal(-5);
        await OnlyThePingArrives(target);
    }

    [Fact]
    public async Task A_hand_made_StartServer_is_refused_and_starts_no_server()
    {
        var nodeActor = await Resolve(Palm.Hosting.Internal.NodeActor.Name);
        nodeActor.Tell(new StartServer(new SuffixServer(), "evil", ServerRole.Standalone));

        var warning = await Refusal(-5);
        Assert.Contains("Palm builds only its own messages", warning);
        Assert.Empty(PalmNode.Get(_node).KnownServers);
        await OnlyThePingArrives(await Resolve("target"));
    }

    [Fact]
    public async Task A_message_in_akkas_json_is_refused_and_never_built()
    {
        var target = await Resolve("target");
        var built = JsonTrap.Built;
        target.Tell(new JsonTrap());

        await Refusal(1);
        await OnlyThePingArrives(target);
        Assert.Equal(built + 1, JsonTrap.Built); // the stranger's own, nothing at the node
    }

    [Fact]
    public async Task A_status_failure_carrying_an_exception_is_refused_and_the_exception_never_built()
    {
        var target = await Resolve("target");
        var built = TrapException.Built;
        target.Tell(new Status.Failure(new TrapException()));

        await Refusal(Palm.Serialization.GuardedMiscSerializer.Id);
        await OnlyThePingArrives(target);
        Assert.Equal(built, TrapException.Built);
    }

    [Fact]
    public async Task A_remote_deployment_is_refused_and_creates_no_actor()
    {
        var built = TrapActor.Built;
        _stranger.ActorOf(Props.Create(() => new TrapActor()).WithDeploy(new Deploy(new RemoteScope(NodeAddress))), "trap");

        await Refusal(3);
        await OnlyThePingArrives(await Resolve("target"));
        Assert.Equal(built, TrapActor.Built);
    }

    private sealed class Collector : ReceiveActor
    {
        public Collector(ChannelWriter<string> warnings) => Receive<Warning>(w => warnings.TryWrite(w.ToString()));
    }

    private sealed class Inbox : ReceiveActor
    {
        public Inbox(ChannelWriter<object> received) => ReceiveAny(m => received.TryWrite(m));
    }
}
