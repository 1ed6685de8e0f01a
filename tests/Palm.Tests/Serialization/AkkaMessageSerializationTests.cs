using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch.SysMsg;
using Akka.Remote.Serialization;
using Akka.Serialization;
using Palm.Configuration;
using Palm.Discovery;
using Palm.Hosting;
using Palm.Serialization;
using Xunit;

namespace Palm.Tests.Serialization;

/// <summary>An exception that counts how often a serializer builds it from bytes (its serialization constructor).</summary>
[Serializable]
public sealed class TrapException : Exception
{
    private static int _built;

    public TrapException() : base("trap") { }

    private TrapException(SerializationInfo info, StreamingContext context) => Interlocked.Increment(ref _built);

    /// <summary>How many were built from the wire, in the whole test run.</summary>
    public static int Built => Volatile.Read(ref _built);
}

/// <summary>
/// Akka's own messages keep Akka's dedicated serializers under Palm's configuration; only those that
/// make the receiver build a type the bytes name (an exception inside Status.Failure or a supervision
/// system message) are refused.
/// </summary>
public sealed class AkkaMessageSerializationTests() : Akka.TestKit.Xunit2.TestKit(ControlSerializerTests.NodeConfig)
{
    private object RoundTrip(object message)
    {
        var serializer = Sys.Serialization.FindSerializerFor(message);
        var bytes = serializer.ToBinary(message);
        return serializer is SerializerWithStringManifest s
            ? Sys.Serialization.Deserialize(bytes, serializer.Identifier, s.Manifest(message))
            : Sys.Serialization.Deserialize(bytes, serializer.Identifier, message.GetType());
    }

    [Fact]
    public void Identify_PoisonPill_Status_Success_and_death_watch_keep_akkas_serializers()
    {
        var self = (IInternalActorRef)TestActor;
        Assert.Equal(42, ((Identify)RoundTrip(new Identify(42))).MessageId);
        Assert.Equal(TestActor, ((ActorIdentity)RoundTrip(new ActorIdentity("id", TestActor))).Subject);
        Assert.Same(PoisonPill.Instance, RoundTrip(PoisonPill.Instance));
        Assert.Equal("done", ((Status.Success)RoundTrip(new Status.Success("done"))).Status);
        Assert.Equal(self, ((Watch)RoundTrip(new Watch(self, self))).Watchee);
        Assert.Equal(self, ((Unwatch)RoundTrip(new Unwatch(self, self))).Watcher);
        Assert.Equal(TestActor, ((DeathWatchNotification)RoundTrip(new DeathWatchNotification(TestActor, true, false))).Actor);
        Assert.IsType<GuardedMiscSerializer>(Sys.Serialization.FindSerializerFor(PoisonPill.Instance));
        Assert.IsType<GuardedSystemMessageSerializer>(Sys.Serialization.FindSerializerFor(new Terminate()));
    }

    [Fact]
    public void The_guarded_serializers_answer_to_akkas_identifiers()
    {
        var system = (ExtendedActorSystem)Sys;
        Assert.Equal(GuardedMiscSerializer.Id, new MiscMessageSerializer(system).Identifier);
        Assert.Equal(GuardedSystemMessageSerializer.Id, new SystemMessageSerializer(system).Identifier);
    }

    [Fact]
    public void Cluster_gossip_keeps_the_cluster_serializer()
    {
        using var cluster = ActorSystem.Create("palm", ConfigurationFactory.ParseString("""
            akka.actor.provider = cluster
            akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
            akka.loglevel = WARNING
            """).WithFallback(PalmConfig.Reference));
        var gossip = Type.GetType("Akka.Cluster.GossipEnvelope, Akka.Cluster", throwOnError: true)!;
        Assert.Equal("ClusterMessageSerializer", cluster.Serialization.FindSerializerForType(gossip).GetType().Name);
        Assert.IsType<RefusingSerializer>(cluster.Serialization.FindSerializerForType(typeof(object)));
    }

    [Fact]
    public void A_status_failure_from_the_wire_is_refused_and_its_exception_never_built()
    {
        var built = TrapException.Built;
        // Bytes as a peer with Akka's own serializer writes them.
        var bytes = new MiscMessageSerializer((ExtendedActorSystem)Sys).ToBinary(new Status.Failure(new TrapException()));
        Assert.Throws<SerializationException>(() => Sys.Serialization.Deserialize(bytes, GuardedMiscSerializer.Id, "STF"));
        Assert.Equal(built, TrapException.Built);
    }

    [Fact]
    public void A_supervision_system_message_from_the_wire_is_refused_and_its_exception_never_built()
    {
        var built = TrapException.Built;
        var akka = new SystemMessageSerializer((ExtendedActorSystem)Sys);
        var failed = akka.ToBinary(new Failed(TestActor, new TrapException(), 1));
        var recreate = akka.ToBinary(new Recreate(new TrapException()));
        Assert.Throws<SerializationException>(() => Sys.Serialization.Deserialize(failed, GuardedSystemMessageSerializer.Id, typeof(Failed)));
        Assert.Throws<SerializationException>(() => Sys.Serialization.Deserialize(recreate, GuardedSystemMessageSerializer.Id, typeof(Recreate)));
        Assert.Equal(built, TrapException.Built);
    }

    [Fact]
    public void Without_palms_configuration_the_node_still_installs_the_guards()
    {
        using var plain = ActorSystem.Create("plain", ConfigurationFactory.ParseString("""
            akka.actor.provider = remote
            akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0, maximum-frame-size = 8 MiB }
            akka.loglevel = ERROR
            akka.stdout-loglevel = ERROR
            """));
        var built = TrapException.Built;
        var failure = new MiscMessageSerializer((ExtendedActorSystem)plain).ToBinary(new Status.Failure(new TrapException()));
        _ = PalmNode.Get(plain);

        Assert.IsType<PalmControlSerializer>(plain.Serialization.FindSerializerForType(typeof(GetServerStatus)));
        Assert.IsType<RefusingSerializer>(plain.Serialization.FindSerializerForType(typeof(Version)));
        Assert.Throws<SerializationException>(() => plain.Serialization.Deserialize("{}"u8.ToArray(), 1, "System.Version"));
        Assert.Throws<SerializationException>(() => plain.Serialization.Deserialize(failure, GuardedMiscSerializer.Id, "STF"));
        Assert.Equal(built, TrapException.Built);
    }
}
