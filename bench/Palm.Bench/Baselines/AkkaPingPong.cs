using System.Diagnostics;
using Akka.Actor;
using Akka.Configuration;
using Palm.Bench.Common;

namespace Palm.Bench.Baselines;

/// <summary>Plain Akka ping-pong A<->B: one message in flight, the round trip of each timed.</summary>
public sealed class AkkaPingPong : IAsyncDisposable
{
    private readonly ActorSystem[] _systems;
    private readonly IActorRef _pinger;
    private readonly int _payloadSize;

    private AkkaPingPong(ActorSystem[] systems, IActorRef pinger, int payloadSize) => (_systems, _pinger, _payloadSize) = (systems, pinger, payloadSize);

    /// <summary>Starts systems A (pinger) and B (ponger).</summary>
    public static async Task<AkkaPingPong> StartAsync(int payloadSize, Config? extra = null)
    {
        var systems = PlainAkka.Start(2, extra);
        systems[1].ActorOf(Props.Create(() => new Ponger()), "ponger");
        var ponger = await PlainAkka.Resolve(systems[0], systems[1], "ponger");
        var pinger = systems[0].ActorOf(Props.Create(() => new Pinger(ponger)), "pinger");
        return new AkkaPingPong(systems, pinger, payloadSize);
    }

    /// <summary>Runs <paramref name="rounds"/> round trips; returns each one's time in microseconds.</summary>
    public async Task<(double[] Micros, Delivery Delivery)> RunAsync(int rounds, TimeSpan stall)
    {
        var delivery = new Delivery(rounds);
        var micros = new double[rounds];
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _pinger.Tell(new Start(delivery, micros, _payloadSize, done));
        await Completion.WaitOrStall(done.Task, () => delivery.Received, stall);
        return (micros[..(int)delivery.Received], delivery);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await PlainAkka.StopAll(_systems);

    private sealed record Start(Delivery Delivery, double[] Micros, int PayloadSize, TaskCompletionSource Done);

    private sealed class Ponger : ReceiveActor
    {
        public Ponger() => Receive<BenchMessage>(m => Sender.Tell(m, Self));
    }

    private sealed class Pinger : ReceiveActor
    {
        private readonly IActorRef _ponger;
        private Start? _run;
        private long _next, _sentAt;

        public Pinger(IActorRef ponger)
        {
            _ponger = ponger;
            Receive<Start>(s =>
            {
                (_run, _next) = (s, 0);
                Ping();
            });
            Receive<BenchMessage>(m =>
            {
                var now = Stopwatch.GetTimestamp();
                if (_run is null) return;
                if (_run.Delivery.Arrived(m.Seq, m.Payload) && m.Seq < _run.Micros.Length)
                    _run.Micros[m.Seq] = Stopwatch.GetElapsedTime(_sentAt, now).TotalMicroseconds;
                if (_next < _run.Delivery.Expected) Ping();
                else
                {
                    _run.Done.TrySetResult();
                    _run = null;
                }
            });
        }

        private void Ping()
        {
            var payload = Delivery.Payload(_next, _run!.PayloadSize);
            _sentAt = Stopwatch.GetTimestamp();
            _ponger.Tell(new BenchMessage(_next++, payload), Self);
        }
    }
}
