using Akka.Actor;
using Akka.Configuration;

namespace Palm.Bench.Baselines;

/// <summary>Actor systems for the plain-Akka baselines: remoting on loopback, OS-chosen ports, no Palm at all.</summary>
public static class PlainAkka
{
    /// <summary>
    /// The baselines' HOCON: Akka.Remote with DotNetty on 127.0.0.1, 4 MiB frames and socket buffers, the
    /// hand-written serializer bound to the bench messages, every other setting at Akka's default.
    /// </summary>
    public static readonly Config Default = ConfigurationFactory.ParseString("""
        akka {
          loglevel = WARNING
          stdout-loglevel = WARNING
          log-dead-letters = off
          log-dead-letters-during-shutdown = off
          actor {
            provider = remote
            serializers.bench = "Palm.Bench.Baselines.BenchSerializer, Palm.Bench"
            serialization-bindings {
              "Palm.Bench.Baselines.BenchMessage, Palm.Bench" = bench
              "Palm.Bench.Baselines.BenchAck, Palm.Bench" = bench
            }
          }
          remote {
            log-remote-lifecycle-events = off
            dot-netty.tcp {
              hostname = "127.0.0.1"
              port = 0
              maximum-frame-size = 4 MiB
              send-buffer-size = 4 MiB
              receive-buffer-size = 4 MiB
            }
          }
        }
        """);

    /// <summary>DotNetty's write batching off: the setting that halves Akka's small-message round trip.</summary>
    public static readonly Config NoBatching = ConfigurationFactory.ParseString("akka.remote.dot-netty.tcp.batching.enabled = off");

    /// <summary>Starts <paramref name="count"/> actor systems named bench-0.. with <paramref name="extra"/> over <see cref="Default"/>.</summary>
    public static ActorSystem[] Start(int count, Config? extra = null)
    {
        var config = EndToEnd.PalmPipeline.Combine(EndToEnd.PalmPipeline.Combine(extra ?? Config.Empty, EndToEnd.PalmPipeline.Quiet), Default);
        return Enumerable.Range(0, count).Select(i => ActorSystem.Create($"bench-{i}", config)).ToArray();
    }

    /// <summary>Resolves, from <paramref name="from"/>, the actor <paramref name="name"/> of <paramref name="owner"/> over remoting.</summary>
    public static Task<IActorRef> Resolve(ActorSystem from, ActorSystem owner, string name)
    {
        var address = ((ExtendedActorSystem)owner).Provider.DefaultAddress;
        return from.ActorSelection(new RootActorPath(address) / "user" / name).ResolveOne(TimeSpan.FromSeconds(10));
    }

    /// <summary>Terminates every system.</summary>
    public static Task StopAll(IEnumerable<ActorSystem> systems) => Task.WhenAll(systems.Select(s => s.Terminate()));
}
