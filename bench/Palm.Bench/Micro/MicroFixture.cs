using Akka.Actor;
using Akka.Configuration;
using Palm.Hosting;
using Palm.Messages;

namespace Palm.Bench.Micro;

/// <summary>A local actor system with Palm's serializer registered, and a sink actor to send to.</summary>
internal sealed class MicroFixture : IDisposable
{
    public MicroFixture()
    {
        System = (ExtendedActorSystem)ActorSystem.Create("micro", ConfigurationFactory.ParseString("akka.loglevel = WARNING"));
        Node = PalmNode.Get(System);
        Sink = System.ActorOf(Props.Create(() => new SinkActor()), "sink");
    }

    public ExtendedActorSystem System { get; }
    public PalmNode Node { get; }
    public IActorRef Sink { get; }

    /// <summary>A job header like a client's: three steps, a session tag.</summary>
    public JobHeader Header(int steps = 3) =>
        new(Guid.NewGuid(), Sink, Enumerable.Range(0, steps).Select(i => new Step($"s{i}", "pass")).ToArray(), "session-1", null);

    public static PipelineMessage[] Messages(JobHeader header, int count, int size, int stage = 0) =>
        Enumerable.Range(0, count).Select(i => new PipelineMessage(header, stage, i, Weights.Whole, Common.Delivery.Payload(i, size))).ToArray();

    public void Dispose() => System.Terminate().Wait();

    private sealed class SinkActor : ReceiveActor
    {
        public SinkActor() => ReceiveAny(_ => { });
    }
}
