using Akka.Actor;
using Palm.Cluster;
using Palm.Messages;

namespace Palm.Client.Internal;

/// <summary>
/// The client's mailbox: receives results for all its jobs, keeps the directory it got from its
/// contact node, and fails a job at once when a server on its route leaves the cluster.
/// </summary>
internal sealed class ClientActor : ReceiveActor
{
    private readonly Dictionary<Guid, JobState> _jobs = new();
    private readonly IActorRef _contact;
    private readonly DirectoryView _view;
    private readonly TaskCompletionSource _firstUpdate;

    public ClientActor(IActorRef contact, DirectoryView view, TaskCompletionSource firstUpdate)
    {
        _contact = contact;
        _view = view;
        _firstUpdate = firstUpdate;
        Receive<ResultBatch>(b =>
        {
            if (_jobs.TryGetValue(b.JobId, out var job)) job.Accept(b);
        });
        Receive<RegisterJob>(r => _jobs[r.Job.Header.JobId] = r.Job);
        Receive<UnregisterJob>(u => _jobs.Remove(u.JobId));
        Receive<DirectoryUpdate>(OnDirectory);
        Receive<Terminated>(t => t.ActorRef.Equals(_contact), _ =>
        {
            _view.Current = DirectorySnapshot.Empty;
            foreach (var job in _jobs.Values)
                job.Fail(new PalmJobFailedException($"Job {job.Header.JobId} failed: the client lost its contact node {_contact.Path.Address}."));
        });
    }

    protected override void PreStart()
    {
        Context.Watch(_contact);
        _contact.Tell(SubscribeDirectory.Instance);
    }

    protected override void PostStop() => _contact.Tell(UnsubscribeDirectory.Instance);

    private void OnDirectory(DirectoryUpdate update)
    {
        var snapshot = new DirectorySnapshot(update.Entries);
        _view.Current = snapshot;
        _firstUpdate.TrySetResult();
        foreach (var job in _jobs.Values)
        {
            var gone = job.WatchedServers.FirstOrDefault(s => !snapshot.TryGet(s, out _));
            if (gone is not null)
                job.Fail(new PalmJobFailedException(
                    $"Job {job.Header.JobId} failed: server '{gone}' on its route left the cluster while the job ran."));
        }
    }
}
