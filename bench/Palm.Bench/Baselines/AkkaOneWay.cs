using Akka.Actor;
using Akka.Configuration;
using Palm.Bench.Common;

namespace Palm.Bench.Baselines;

/// <summary>
/// Plain Akka one-way A->B: the sender keeps at most <c>window</c> messages un-acknowledged; the receiver
/// acknowledges cumulatively every <c>ackEvery</c> messages (and at the last one).
/// </summary>
public sealed class AkkaOneWay : IAsyncDisposable
{
    private readonly ActorSystem[] _systems;
    private readonly IActorRef _sender;
    private readonly IActorRef _receiver;
    private readonly int _payloadSize, _window, _ackEvery;

    private AkkaOneWay(ActorSystem[] systems, IActorRef sender, IActorRef receiver, int payloadSize, int window, int ackEvery)
    {
        (_systems, _sender, _receiver, _payloadSize, _window, _ackEvery) = (systems, sender, receiver, payloadSize, window, ackEvery);
    }

    /// <summary>Starts systems A and B and the two actors.</summary>
    public static async Task<AkkaOneWay> StartAsync(int payloadSize, int window, int ackEvery, Config? extra = null)
    {
        var systems = PlainAkka.Start(2, extra);
        // The receiver is told its expectations locally; the sender reaches it over remoting.
        var local = systems[1].ActorOf(Props.Create(() => new Receiver()), "receiver");
        var remote = await PlainAkka.Resolve(systems[0], systems[1], "receiver");
        var sender = systems[0].ActorOf(Props.Create(() => new Sender(remote)), "sender");
        return new AkkaOneWay(systems, sender, local, payloadSize, window, ackEvery);
    }

    /// <summary>Sends <paramref name="count"/> messages; the value is messages per second.</summary>
    public async Task<Measurement> RunAsync(long count, TimeSpan timeout)
    {
        var delivery = new Delivery(count);
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _receiver.Tell(new Reset(delivery, _ackEvery, ready));
        await ready.Task.WaitAsync(timeout);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        _sender.Tell(new Start(count, _payloadSize, _window, done));
        await Completion.WaitOrStall(done.Task, () => delivery.Received, timeout);
        watch.Stop();
        return new Measurement(count / watch.Elapsed.TotalSeconds, delivery);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await PlainAkka.StopAll(_systems);

    private sealed record Reset(Delivery Delivery, int AckEvery, TaskCompletionSource Ready);

    private sealed record Start(long Count, int PayloadSize, int Window, TaskCompletionSource Done);

    private sealed class Receiver : ReceiveActor
    {
        private Delivery _delivery = new(0);
        private int _ackEvery = 1;
        private long _count;

        public Receiver()
        {
            Receive<Reset>(r =>
            {
                (_delivery, _ackEvery, _count) = (r.Delivery, r.AckEvery, 0);
                r.Ready.SetResult();
            });
            Receive<BenchMessage>(m =>
            {
                _delivery.Arrived(m.Seq, m.Payload);
                if (++_count % _ackEvery == 0 || _count == _delivery.Expected) Sender.Tell(new BenchAck(_count));
            });
        }
    }

    private sealed class Sender : ReceiveActor
    {
        private readonly IActorRef _target;
        private Start? _run;
        private long _sent, _acked;

        public Sender(IActorRef target)
        {
            _target = target;
            Receive<Start>(s =>
            {
                (_run, _sent, _acked) = (s, 0, 0);
                Pump();
            });
            Receive<BenchAck>(a =>
            {
                if (_run is null) return;
                _acked = Math.Max(_acked, a.Count);
                if (_acked >= _run.Count)
                {
                    _run.Done.TrySetResult();
                    _run = null;
                    return;
                }
                Pump();
            });
        }

        private void Pump()
        {
            var run = _run!;
            while (_sent < run.Count && _sent - _acked < run.Window)
            {
                _target.Tell(new BenchMessage(_sent, Delivery.Payload(_sent, run.PayloadSize)), Self);
                _sent++;
            }
        }
    }
}
