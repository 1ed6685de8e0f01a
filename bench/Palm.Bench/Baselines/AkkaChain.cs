using Akka.Actor;
using Akka.Configuration;
using Palm.Bench.Common;

namespace Palm.Bench.Baselines;

/// <summary>
/// Plain Akka chain client -> S1 -> S2 -> S3 -> client over four actor systems (or fewer stages); the client keeps at
/// most <c>window</c> messages in flight and sends one more for each that comes back.
/// </summary>
public sealed class AkkaChain : IAsyncDisposable
{
    private readonly ActorSystem[] _systems;
    private readonly IActorRef _client;
    private readonly int _payloadSize, _window;

    private AkkaChain(ActorSystem[] systems, IActorRef client, int payloadSize, int window) =>
        (_systems, _client, _payloadSize, _window) = (systems, client, payloadSize, window);

    /// <summary>Starts the client's system and <paramref name="stages"/> stage systems, each stage forwarding to the next.</summary>
    public static async Task<AkkaChain> StartAsync(int payloadSize, int window, int stages = 3, Config? extra = null)
    {
        var systems = PlainAkka.Start(stages + 1, extra);
        var client = systems[0].ActorOf(Props.Create(() => new Client()), "client");
        // Wire the stages back to front: the last answers the client, each other forwards to the next.
        var next = await PlainAkka.Resolve(systems[stages], systems[0], "client");
        for (var i = stages; i >= 1; i--)
        {
            var target = next;
            systems[i].ActorOf(Props.Create(() => new Stage(target)), "stage");
            if (i > 1) next = await PlainAkka.Resolve(systems[i - 1], systems[i], "stage");
        }
        var first = await PlainAkka.Resolve(systems[0], systems[1], "stage");
        client.Tell(first);
        return new AkkaChain(systems, client, payloadSize, window);
    }

    /// <summary>Sends <paramref name="count"/> messages around the chain; the value is messages per second.</summary>
    public async Task<Measurement> RunAsync(long count, TimeSpan stall)
    {
        var delivery = new Delivery(count);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        _client.Tell(new Start(delivery, _payloadSize, _window, done));
        await Completion.WaitOrStall(done.Task, () => delivery.Received, stall);
        watch.Stop();
        return new Measurement(count / watch.Elapsed.TotalSeconds, delivery);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await PlainAkka.StopAll(_systems);

    private sealed record Start(Delivery Delivery, int PayloadSize, int Window, TaskCompletionSource Done);

    private sealed class Stage : ReceiveActor
    {
        public Stage(IActorRef next) => Receive<BenchMessage>(m => next.Tell(m, Self));
    }

    private sealed class Client : ReceiveActor
    {
        private IActorRef _first = ActorRefs.Nobody;
        private Start? _run;
        private long _sent;

        public Client()
        {
            Receive<IActorRef>(first => _first = first);
            Receive<Start>(s =>
            {
                (_run, _sent) = (s, 0);
                while (_sent < s.Delivery.Expected && _sent < s.Window) Send();
            });
            Receive<BenchMessage>(m =>
            {
                if (_run is null) return;
                _run.Delivery.Arrived(m.Seq, m.Payload);
                if (_sent < _run.Delivery.Expected) Send();
                else if (_run.Delivery.Received >= _run.Delivery.Expected)
                {
                    _run.Done.TrySetResult();
                    _run = null;
                }
            });
        }

        private void Send()
        {
            _first.Tell(new BenchMessage(_sent, Delivery.Payload(_sent, _run!.PayloadSize)), Self);
            _sent++;
        }
    }
}
