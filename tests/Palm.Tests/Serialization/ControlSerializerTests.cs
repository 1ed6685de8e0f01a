using System.Diagnostics;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using Akka.Serialization;
using Palm.Cache;
using Palm.Configuration;
using Palm.Discovery;
using Palm.Hosting;
using Palm.Messages;
using Palm.Serialization;
using Palm.Servers;
using Palm.Templates.Parallel;
using Palm.Templates.Reduce;
using Palm.Tests.Support;
using Xunit;

namespace Palm.Tests.Serialization;

/// <summary>
/// Palm's control messages travel in Palm's own serializer, one explicit manifest per type; anything
/// else (an unknown manifest, malformed bytes, a type Palm did not write a serializer for) is refused
/// with a <see cref="SerializationException"/> and builds nothing.
/// </summary>
public sealed class ControlSerializerTests : Akka.TestKit.Xunit2.TestKit
{
    /// <summary>A node's configuration without the cluster: remoting on loopback and Palm's reference.conf.</summary>
    internal static readonly Config NodeConfig = ConfigurationFactory.ParseString("""
        akka.actor.provider = remote
        akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0, maximum-frame-size = 8 MiB }
        akka.loglevel = WARNING
        """).WithFallback(PalmConfig.Reference);

    private readonly PalmControlSerializer _serializer;

    public ControlSerializerTests() : base(NodeConfig) => _serializer = new PalmControlSerializer((ExtendedActorSystem)Sys);

    private ServerEntry Entry(string name, ServerRole role, IActorRef cache) =>
        new(name, "RegisteredServer", role, TestActor, cache, ["tag", "prix-é"], "akka.tcp://palm@127.0.0.1:4053");

    /// <summary>One instance of every control message, with every optional field both set and unset.</summary>
    private object[] Samples() =>
    [
        new NodeServers([Entry("a", ServerRole.Standalone, TestActor), Entry("b", ServerRole.Worker, ActorRefs.Nobody)], true),
        new NodeServers([], false),
        SubscribeDirectory.Instance,
        UnsubscribeDirectory.Instance,
        new DirectoryUpdate([Entry("c", ServerRole.Leader, TestActor)]),
        GetServerStatus.Instance,
        GetSubscriberCount.Instance,
        new ServerReport(5, 7, 1, TimeSpan.FromMilliseconds(1234.5), 3, 12, TimeSpan.FromHours(49.5), "c/worker-2@127.0.0.1:4053"),
        new ServerReport(0, 0, 0, TimeSpan.Zero, 0, 0, TimeSpan.Zero, "a@palm-é"),
        GetNodeStatus.Instance,
        new NodeReport("akka.tcp://palm@127.0.0.1:4053", TimeSpan.FromMinutes(3), true,
        [
            new MemberReport("akka.tcp://palm@127.0.0.1:4053", MemberStatus.Up, true, ["standalone", "palm-é"]),
            new MemberReport("akka.tcp://palm@127.0.0.1:4054", MemberStatus.WeaklyUp, false, []),
            new MemberReport("akka.tcp://palm@127.0.0.1:4055", MemberStatus.Removed, false, ["worker"]),
        ]),
        new NodeReport("akka://palm", TimeSpan.Zero, false, []),
        new CacheGet("k-é"),
        new CacheSet("k", [1, 2, 3]),
        new CacheSet(null, []),
        new CacheAppend("k", [4]),
        new CacheDelete("k"),
        new CacheReply([9, 8], "k", true, null, false),
        new CacheReply(null, null, false, "PalmCacheFullException: full", true),
        WorkerDraining.Instance,
        WorkerDrained.Instance,
        new Palm.Messages.StageFlush(Guid.NewGuid(), 3),
        ClientHello.Instance,
    ];

    private object RoundTrip(object message) => _serializer.FromBinary(_serializer.ToBinary(message), _serializer.Manifest(message));

    [Fact]
    public void Every_control_message_round_trips_with_every_field()
    {
        foreach (var message in Samples())
        {
            var back = RoundTrip(message);
            if (message.GetType().GetField("Instance", BindingFlags.Public | BindingFlags.Static) is not null) Assert.Same(message, back);
            else AssertSameValue(message, back, message.GetType().Name);
        }
    }

    [Fact]
    public void A_worker_entry_keeps_nobody_as_its_cache()
    {
        var back = (DirectoryUpdate)RoundTrip(new DirectoryUpdate([Entry("w", ServerRole.Worker, ActorRefs.Nobody)]));
        Assert.True(back.Entries[0].Cache.IsNobody());
        Assert.Equal(TestActor, back.Entries[0].Server);
    }

    [Fact]
    public void Every_type_with_the_marker_has_its_own_manifest_and_the_system_binds_it_to_the_control_serializer()
    {
        var marked = typeof(IPalmControlMessage).Assembly.GetTypes()
            .Where(t => typeof(IPalmControlMessage).IsAssignableFrom(t) && !t.IsInterface && !t.IsAbstract).ToArray();
        Assert.Equal(marked.OrderBy(t => t.FullName), PalmControlSerializer.Types.OrderBy(t => t.FullName));
        var manifests = marked.Select(t => _serializer.Manifest(RuntimeHelpers.GetUninitializedObject(t))).ToArray();
        Assert.Equal(manifests.Length, manifests.Distinct().Count());
        Assert.All(marked, t => Assert.IsType<PalmControlSerializer>(Sys.Serialization.FindSerializerForType(t)));
        Assert.DoesNotContain(typeof(StartServer), marked);
    }

    [Theory]
    [InlineData("")]
    [InlineData("XX")]
    [InlineData("StartServer")]
    [InlineData("Palm.Cluster.StartServer, Palm")]
    [InlineData("D")]
    public void An_unknown_manifest_is_refused(string manifest)
    {
        Assert.Throws<SerializationException>(() => _serializer.FromBinary([1, 2, 3], manifest));
        Assert.Throws<SerializationException>(() => Sys.Serialization.Deserialize([], PalmControlSerializer.Id, manifest));
    }

    [Fact]
    public void Every_truncation_and_trailing_byte_is_refused()
    {
        foreach (var message in Samples())
        {
            var bytes = _serializer.ToBinary(message);
            var manifest = _serializer.Manifest(message);
            for (var n = 0; n < bytes.Length; n++)
                Assert.Throws<SerializationException>(() => _serializer.FromBinary(bytes[..n], manifest));
            Assert.Throws<SerializationException>(() => _serializer.FromBinary([.. bytes, 0], manifest));
        }
    }

    [Fact]
    public void Garbage_bytes_give_a_control_message_or_a_serialization_exception_and_nothing_else()
    {
        var random = new Random(7303);
        foreach (var message in Samples())
        {
            var valid = _serializer.ToBinary(message);
            var manifest = _serializer.Manifest(message);
            for (var i = 0; i < 300; i++)
            {
                byte[] bytes;
                if (i % 2 == 0 && valid.Length > 0)
                {
                    bytes = (byte[])valid.Clone();
                    for (var k = 0; k < 1 + random.Next(3); k++) bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                }
                else
                {
                    bytes = new byte[random.Next(64)];
                    random.NextBytes(bytes);
                }
                var error = Record.Exception(() => Assert.IsType(message.GetType(), _serializer.FromBinary(bytes, manifest)));
                if (error is not null) Assert.IsType<SerializationException>(error);
            }
        }
    }

    [Theory]
    [InlineData("NS", new byte[] { 0xFF, 0xFF, 0xFF, 0x7F })]
    [InlineData("DU", new byte[] { 0xFF, 0xFF, 0xFF, 0x7F })]
    [InlineData("CG", new byte[] { 0xFF, 0xFF, 0xFF, 0x7F })]
    [InlineData("CS", new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F })]
    [InlineData("CR", new byte[] { 1, 0xFF, 0xFF, 0xFF, 0x7F })]
    [InlineData("NR", new byte[] { 0xF0, 0xFF, 0xFF, 0x7F })]
    [InlineData("NR", new byte[] { 1, 0, 0, 0, 0x61, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xFF, 0xFF, 0xFF, 0x7F })]
    [InlineData("SR", new byte[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xF0, 0xFF, 0xFF, 0x7F })]
    public void A_huge_announced_length_is_refused_without_allocating_it(string manifest, byte[] bytes)
    {
        _serializer.FromBinary([], GetSubscriberCountManifest); // warms up the code paths
        var before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Throws<SerializationException>(() => _serializer.FromBinary(bytes, manifest));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 256 * 1024, "refusing a 2 GiB length allocated more than 256 KiB");
    }

    private const string GetSubscriberCountManifest = "GC";

    [Fact]
    public void StartServer_and_other_types_without_a_palm_serializer_cannot_be_written()
    {
        var start = new StartServer(new SuffixServer(), "evil", ServerRole.Standalone);
        Assert.IsType<RefusingSerializer>(Sys.Serialization.FindSerializerFor(start));
        var error = Assert.Throws<SerializationException>(() => Sys.Serialization.Serialize(start));
        Assert.Contains(typeof(StartServer).FullName!, error.Message);
        Assert.Throws<SerializationException>(() => Sys.Serialization.Serialize(new ProcessStartInfo("calc")));
        Assert.Throws<SerializationException>(() => Sys.Serialization.Serialize(new Status.Failure(new InvalidOperationException())));
    }

    [Theory]
    [InlineData(1, "System.Diagnostics.ProcessStartInfo, System.Diagnostics.Process")] // Akka's JSON
    [InlineData(-5, "")] // Hyperion: the type is inside its bytes
    [InlineData(3, "")] // remote deployment
    [InlineData(RefusingSerializer.DefaultId, "System.Diagnostics.ProcessStartInfo, System.Diagnostics.Process")]
    public void Bytes_for_a_serializer_that_builds_any_type_are_refused(int serializerId, string manifest)
    {
        byte[] json = "{\"$type\":\"System.Diagnostics.ProcessStartInfo, System.Diagnostics.Process\",\"FileName\":\"calc\"}"u8.ToArray();
        Assert.Throws<SerializationException>(() => Sys.Serialization.Deserialize(json, serializerId, manifest));
        // Once the node runs, the same bytes meet a refusing serializer under that identifier.
        _ = PalmNode.Get(Sys);
        var error = Assert.Throws<SerializationException>(() => Sys.Serialization.Deserialize(json, serializerId, manifest));
        Assert.Contains("Palm", error.Message);
    }

    private static void AssertSameValue(object expected, object actual, string path)
    {
        Assert.Equal(expected.GetType(), actual.GetType());
        switch (expected)
        {
            case string or IActorRef or TimeSpan or Enum or byte or bool or int or long:
                Assert.True(Equals(expected, actual), $"{path}: expected {expected}, got {actual}");
                return;
            case Array e:
                var a = (Array)actual;
                Assert.True(e.Length == a.Length, $"{path}: expected {e.Length} items, got {a.Length}");
                for (var i = 0; i < e.Length; i++) AssertSameValue(e.GetValue(i)!, a.GetValue(i)!, $"{path}[{i}]");
                return;
        }
        foreach (var property in expected.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var e = property.GetValue(expected);
            var a = property.GetValue(actual);
            if (e is null) Assert.True(a is null, $"{path}.{property.Name}: expected null, got {a}");
            else
            {
                Assert.True(a is not null, $"{path}.{property.Name}: expected {e}, got null");
                AssertSameValue(e, a, $"{path}.{property.Name}");
            }
        }
    }
}
