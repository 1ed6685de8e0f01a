using Akka.Actor;
using Akka.Event;
using Palm.Configuration;
using Palm.Diagnostics;
using Palm.Discovery;
using Palm.Hosting.Internal;
using Palm.Messages;
using Palm.Transport;

namespace Palm.Client.Internal;

/// <summary>
/// The client's mailbox: receives results for all its jobs (only from nodes of the cluster it knows),
/// keeps the directory it got from its contact node, fails a job at once when a server on its route
/// leaves the cluster, and checks every job that stopped making progress (see <see cref="ProgressTick"/>).
/// </summary>
internal sealed class ClientActor : ReceiveActor, IWithTimers
{
    private readonly Dictionary<Guid, JobState> _jobs = new();
    private readonly IActorRef _contact;
    private readonly DirectoryView _view;
    private readonly TaskCompletionSource _firstUpdate;
    private readonly PalmSettings _settings;
    private readonly ClientSettings _clientSettings;
    private readonly ClientCounters _counters;
    // Strangers and duplicates can come at any rate: a line per kind every 10 s at most.
    private readonly RateLimitedLog _warnings = new(Context.GetLogger(), RateLimitedLog.StrangerInterval);
    private readonly bool _trustLocal;
    private readonly DataLanes _lanes = DataLanes.Get(Context.System);
    // Replaced, never changed: the lane actor reads it from its own thread (see PreStart).
    private HashSet<Address> _trusted;
    // Nodes of the directory this client said hello to (not the contact: it subscribed there).
    private HashSet<Address> _greeted = [];
    private IDisposable? _admission;
    private IActorRef? _lastTrusted;
    private TimeSpan _tick;
    private readonly TimeProvider _clock;

    // trustLocal: whether actors of the client's own system may send results (a client inside a node's system).
    // clock: what progress timeouts are measured on (tests inject their own; the system's by default).
    public ClientActor(IActorRef contact, DirectoryView view, TaskCompletionSource firstUpdate, PalmSettings settings, ClientSettings clientSettings,
        ClientCounters counters, bool trustLocal, TimeProvider? clock = null)
    {
        (_contact, _view, _firstUpdate, _settings, _clientSettings, _counters, _trustLocal) =
            (contact, view, firstUpdate, settings, clientSettings, counters, trustLocal);
        _clock = clock ?? TimeProvider.System;
        _trusted = [contact.Path.Address];
        Receive<ResultBatch>(OnResults);
        Receive<RegisterJob>(OnRegister);
        Receive<UnregisterJob>(u =>
        {
            if (!_jobs.Remove(u.JobId, out var job)) return;
            // A job that ends before its generators did (cancelled, failed, its reader gone) stops them: they wait for credit forever otherwise.
            foreach (var (stage, leader) in job.Stages.RunningGenerators())
                _lanes.Tell(leader, new SourceCredit(u.JobId, stage, SourceCredit.Stop), Self);
        });
        Receive<SourceExhausted>(m =>
        {
            if (!_jobs.TryGetValue(m.JobId, out var job)) return;
            job.Stages.SourceTotal = m.Total;
            AdvanceStages(job);
        });
        Receive<ProgressTick>(_ => OnTick());
        Receive<OwnMessagesConsumed>(m =>
        {
            if (_jobs.TryGetValue(m.JobId, out var job)) SendCredits(job);
        });
        Receive<RouteChecked>(OnRouteChecked);
        Receive<DirectoryUpdate>(OnDirectory);
        Receive<Terminated>(t => t.ActorRef.Equals(_contact), _ =>
        {
            _view.Current = DirectorySnapshot.Empty;
            foreach (var job in _jobs.Values)
                job.Fail(new PalmJobFailedException($"Job {job.Header.JobId} failed: the client lost its contact node {_contact.Path.Address}."));
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart()
    {
        Context.Watch(_contact);
        // Only nodes of the cluster this client knows get a secret for its lane (they send it results).
        _admission = _lanes.AddAdmission(system => Volatile.Read(ref _trusted).Contains(system));
        _contact.Tell(SubscribeDirectory.Instance);
        StartTicks(TickFor(_clientSettings.ProgressTimeout));
    }

    protected override void PostStop()
    {
        _admission?.Dispose();
        _contact.Tell(UnsubscribeDirectory.Instance);
    }

    /// <summary>
    /// Says <see cref="ClientHello"/> to every node of the directory it has not greeted yet, before
    /// any job sends there: a node hands its lane's secret only to members and connected clients.
    /// A node that left the directory is greeted again if it comes back (it may have restarted).
    /// </summary>
    private void Greet()
    {
        var self = ((ExtendedActorSystem)Context.System).Provider.DefaultAddress;
        var greeted = new HashSet<Address>();
        foreach (var node in _trusted)
        {
            if (node.Equals(_contact.Path.Address) || node.Equals(self) || node.HasLocalScope) continue;
            if (!_greeted.Contains(node)) Context.ActorSelection(NodeActor.PathAt(node)).Tell(ClientHello.Instance);
            greeted.Add(node);
        }
        _greeted = greeted;
    }

    private void OnResults(ResultBatch batch)
    {
        if (!Trusted(Sender))
        {
            _counters.AddUntrusted();
            _warnings.Log(LogLevel.WarningLevel, "untrusted", "Dropped a result batch from {0}, which is not a node of the cluster this client knows.",
                Sender.IsNobody() ? "no sender" : Sender.Path.Address);
            return;
        }
        if (!_jobs.TryGetValue(batch.JobId, out var job)) return;
        var ignored = job.Accept(batch, Sender);
        if (job.Stages.Active)
        {
            AdvanceStages(job);
            SendCredits(job);
        }
        if (ignored == 0) return;
        _counters.AddDuplicates(ignored);
        _warnings.Log(LogLevel.WarningLevel, "duplicates", "Ignored {0} duplicated result(s) for job {1} from {2}: their inputs were already complete.",
            ignored, batch.JobId, Sender.Path.Address);
    }

    /// <summary>
    /// Whether results from <paramref name="sender"/> may count: the client itself (inputs refused before
    /// they left), the contact node, a node hosting a server of the directory, or, for a client inside a
    /// node's system, that system. Without TLS the sender is what the message claims, so this keeps out
    /// strangers that do not pose as a member.
    /// </summary>
    private bool Trusted(IActorRef sender)
    {
        // A dense stream comes from one server: one check per sender, not per batch.
        if (ReferenceEquals(sender, _lastTrusted)) return true;
        if (sender.IsNobody()) return false;
        var address = sender.Path.Address;
        if (!sender.Equals(Self) && !(_trustLocal && address.HasLocalScope) && !_trusted.Contains(address)) return false;
        _lastTrusted = sender;
        return true;
    }

    /// <summary>
    /// For a job with reduces on its route, once its source is exhausted and every input complete: flushes the next reduce
    /// stage (in route order) when everything emitted so far is complete, or ends the job when every stage is flushed.
    /// </summary>
    private void AdvanceStages(JobState job)
    {
        var reduce = job.Stages;
        if (!reduce.Active || reduce.Ended || job.Failed || reduce.SourceTotal < 0 || job.Completed < reduce.SourceTotal) return;
        var next = reduce.Next(out var wait);
        if (wait) return;
        if (next is not { } stage)
        {
            reduce.Ended = true;
            job.Events.Writer.TryWrite(JobEvent.Finished);
            return;
        }
        reduce.FlushSent(stage.Stage);
        // In the session with the reduce's system, like the job's inputs: sent again until that system has it, and its
        // answer comes back in the job's result stream, which a session carries too.
        _lanes.Tell(stage.Leader, new StageFlush(job.Header.JobId, stage.Stage), Self);
    }

    /// <summary>Lets the generators on the job's route run on as far as the job's window past what is complete (see <see cref="SourceCredit"/>).</summary>
    private void SendCredits(JobState job)
    {
        if (job.Failed || job.Stages.CreditsDue(job.Window, job.Consumed) is not { } due) return;
        foreach (var (stage, leader, allowed) in due)
            _lanes.Tell(leader, new SourceCredit(job.Header.JobId, stage, allowed), Self);
    }

    private void OnRegister(RegisterJob register)
    {
        var job = register.Job;
        _jobs[job.Header.JobId] = job;
        job.Watch.Progressed(_clock.NowMs());
        var tick = TickFor(job.ProgressTimeout);
        if (tick < _tick) StartTicks(tick);
    }

    private void OnTick()
    {
        var now = _clock.NowMs();
        foreach (var job in _jobs.Values)
        {
            if (job.Failed) continue;
            var watch = job.Watch;
            // The quiet time only counts while the cluster owes results: a window full of results the
            // reader has not taken yet, or a source that has nothing to send, is not a stall.
            if (job.Owed == 0)
            {
                watch.Progressed(now);
                continue;
            }
            var mark = job.OldestMark();
            if (mark != watch.Mark)
            {
                watch.Mark = mark;
                watch.Progressed(now);
                continue;
            }
            var timeout = (long)job.ProgressTimeout.TotalMilliseconds;
            switch (watch.Phase)
            {
                case ProgressPhase.Watching when now - watch.Since >= timeout && job.DeadBranch is not null:
                    job.Fail(job.BranchLostFailure());
                    break;
                case ProgressPhase.Watching when now - watch.Since >= timeout:
                    watch.Phase = ProgressPhase.Asking;
                    CheckRoute(job, ++watch.Check);
                    break;
                case ProgressPhase.Confirming when now - watch.Since >= timeout:
                    job.Fail(job.LostFailure(_view.Current));
                    break;
            }
        }
    }

    /// <summary>Asks every server of the job's route for its status; the answer comes back as <see cref="RouteChecked"/>.</summary>
    private void CheckRoute(JobState job, int check)
    {
        var snapshot = _view.Current;
        var entries = job.Header.Route.Select(s => s.Server).Distinct()
            .Select(name => snapshot.TryGet(name, out var e) ? e : null).OfType<ServerEntry>().ToArray();
        var askTimeout = _settings.AskTimeout;
        var jobId = job.Header.JobId;

        async Task<RouteChecked> Ask()
        {
            var answered = await Task.WhenAll(entries.Select(e => StatusSurvey.AskOrNull<object>(e.Server, GetServerStatus.Instance, askTimeout,
                CancellationToken.None))).ConfigureAwait(false);
            var silent = Array.FindIndex(answered, answer => answer is null);
            return new RouteChecked(jobId, check, silent < 0 ? null : entries[silent]);
        }

        // Ask() catches every failure of an ask; should anything else fail, the servers count as answered.
        Ask().PipeTo(Self, failure: _ => new RouteChecked(jobId, check, null));
    }

    private void OnRouteChecked(RouteChecked result)
    {
        if (!_jobs.TryGetValue(result.JobId, out var job) || job.Failed) return;
        var watch = job.Watch;
        // Progress came while the servers were asked: that check is moot.
        if (watch.Phase != ProgressPhase.Asking || watch.Check != result.Check) return;
        if (result.Silent is { } silent)
        {
            job.Fail(job.SilentFailure(silent, _settings.AskTimeout));
            return;
        }
        // Every server is alive: wait as long once more before calling the inputs lost.
        watch.Phase = ProgressPhase.Confirming;
        watch.Since = _clock.NowMs();
    }

    private void OnDirectory(DirectoryUpdate update)
    {
        var snapshot = new DirectorySnapshot(update.Entries);
        _view.Current = snapshot;
        Volatile.Write(ref _trusted, TrustedAddresses(update.Entries));
        _lastTrusted = null;
        Greet();
        _firstUpdate.TrySetResult();
        foreach (var job in _jobs.Values)
        {
            foreach (var gone in job.WatchedServers.Where(s => !snapshot.TryGet(s, out _)))
                if (job.ServerGone(gone) is { } failure) job.Fail(failure);
        }
    }

    private HashSet<Address> TrustedAddresses(ServerEntry[] entries)
    {
        var trusted = new HashSet<Address> { _contact.Path.Address };
        foreach (var e in entries)
        {
            trusted.Add(e.Server.Path.Address);
            if (!e.Cache.IsNobody()) trusted.Add(e.Cache.Path.Address);
            if (Address.TryParse(e.Node, out var node)) trusted.Add(node);
        }
        return trusted;
    }

    private void StartTicks(TimeSpan tick)
    {
        _tick = tick;
        Timers.StartPeriodicTimer(nameof(ProgressTick), ProgressTick.Instance, tick);
    }

    /// <summary>Ticks a fifth of the timeout apart (at most 2 s), so a stall is noticed within 20% of it.</summary>
    private static TimeSpan TickFor(TimeSpan progressTimeout) =>
        TimeSpan.FromMilliseconds(Math.Clamp(progressTimeout.TotalMilliseconds / 5, 10, 2000));
}
