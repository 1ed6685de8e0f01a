using System.Diagnostics;
using Akka;
using Akka.Actor;
using Akka.Event;
using Palm.Discovery;
using Palm.Dispatch;
using Palm.Servers;

namespace Palm.Templates.Parallel.Internal;

/// <summary>
/// A worker's drain in coordinated shutdown, before the node leaves the cluster: it waits until the leader says the worker
/// holds nothing, or the leader would re-dispatch work still being computed (docs/internals.md#workerdrain).
/// </summary>
/// <remarks>The task runs outside the worker actor; the actor hands it the leader's reply through <see cref="Drained"/>.</remarks>
internal sealed class WorkerDrain(ServerRuntime runtime, TimeSpan drainTimeout, IActorRef worker)
{
    /// <summary>The coordinated-shutdown phase of the drain: after services stop taking requests, before the node leaves the cluster.</summary>
    public const string Phase = CoordinatedShutdown.PhaseServiceRequestsDone;

    /// <summary>How often the drain looks whether the leader is still in the directory (only while a node shuts down).</summary>
    private static readonly TimeSpan LeaderPoll = TimeSpan.FromMilliseconds(100);

    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile IActorRef? _leader;
    private volatile bool _stopped;

    /// <summary>Registers the drain of <paramref name="worker"/> with its actor system's coordinated shutdown; it waits at most <paramref name="drainTimeout"/> (<c>palm.butterfly.drain-timeout</c>).</summary>
    public static WorkerDrain Register(ActorSystem system, ServerRuntime runtime, TimeSpan drainTimeout, IActorRef worker)
    {
        var drain = new WorkerDrain(runtime, drainTimeout, worker);
        var shutdown = CoordinatedShutdown.Get(system);
        var phaseTimeout = shutdown.Timeout(Phase);
        if (drainTimeout > phaseTimeout)
            runtime.Log.Warning("palm.butterfly.drain-timeout ({0}) is longer than akka.coordinated-shutdown.phases.{1}.timeout ({2}): "
                + "a worker of server '{3}' that shuts down stops draining after {2}.", drainTimeout, Phase, phaseTimeout, runtime.Name);
        shutdown.AddTask(Phase, $"palm-drain-{worker.Path.Name}", drain.RunAsync);
        return drain;
    }

    /// <summary>The worker actor stopped: nothing left to drain.</summary>
    public void Stopped()
    {
        _stopped = true;
        _drained.TrySetResult();
    }

    /// <summary>The worker got <see cref="WorkerDrained"/> from <paramref name="sender"/>; true if that is the leader it told.</summary>
    public bool Drained(IActorRef sender)
    {
        if (_leader is not { } leader || !leader.Equals(sender)) return false;
        _drained.TrySetResult();
        return true;
    }

    private async Task<Done> RunAsync()
    {
        if (_drained.Task.IsCompleted || CurrentLeader() is not { } leader) return Done.Instance;
        var started = Stopwatch.GetTimestamp();
        _leader = leader;
        // Sent for the worker, so that the leader knows which worker it is and replies to it; in the session with the
        // leader's system, like the work and the answers, so it is sent again until that system has it.
        runtime.Lanes.Tell(leader, WorkerDraining.Instance, worker);
        while (!_drained.Task.IsCompleted)
        {
            var left = drainTimeout - Stopwatch.GetElapsedTime(started);
            if (left <= TimeSpan.Zero)
            {
                runtime.Log.Warning("Worker {0} of server '{1}' was not drained within {2} (palm.butterfly.drain-timeout); it leaves anyway, "
                    + "and its leader re-dispatches what it still holds.", worker.Path, runtime.Name, drainTimeout);
                return Done.Instance;
            }
            // Polled rather than watched: this runs outside the actor, and only while the node shuts down.
            if (!leader.Equals(CurrentLeader()))
            {
                runtime.Log.Info("Worker {0} of server '{1}' stops draining: its leader left.", worker.Path, runtime.Name);
                return Done.Instance;
            }
            await Task.WhenAny(_drained.Task, Task.Delay(left < LeaderPoll ? left : LeaderPoll)).ConfigureAwait(false);
        }
        if (!_stopped)
            runtime.Log.Info("Worker {0} of server '{1}' drained in {2:F0} ms: its leader holds nothing of it any more.",
                worker.Path, runtime.Name, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return Done.Instance;
    }

    private IActorRef? CurrentLeader() => runtime.Directory.Current.LeaderOf(runtime.Name);
}
