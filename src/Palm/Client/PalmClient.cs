using System.Diagnostics;
using System.Runtime.CompilerServices;
using Akka.Actor;
using Akka.Configuration;
using Palm.Cache;
using Palm.Cache.Internal;
using Palm.Client.Internal;
using Palm.Configuration;
using Palm.Discovery;
using Palm.Hosting;
using Palm.Messages;
using Palm.Security;
using Palm.Transport;

namespace Palm.Client;

/// <summary>
/// Submits jobs to a Palm cluster and reaches its servers' caches. A client either runs inside a node's
/// actor system (<see cref="ConnectAsync(ActorSystem, CancellationToken)"/>) or in an actor system of its
/// own that talks to a contact node over remoting without joining the cluster
/// (<see cref="ConnectAsync(string, Config?, CancellationToken)"/>), so clients come and go freely.
/// </summary>
public sealed class PalmClient : IAsyncDisposable
{
    private readonly bool _ownsSystem;
    private readonly IActorRef _node;
    private readonly DirectoryView _view;
    private readonly DataLanes _lanes;
    private readonly IDisposable _laneReceiver;
    private readonly IDisposable _metrics;
    private int _disposed;

    private PalmClient(ActorSystem system, bool ownsSystem, IActorRef actor, IActorRef node, DirectoryView view, PalmSettings settings,
        ClientSettings clientSettings, DataLanes lanes, ClientCounters counters, IDisposable laneReceiver)
    {
        (System, _ownsSystem, Actor, _node, _view, Settings, ClientSettings, _lanes, Counters, _laneReceiver) =
            (system, ownsSystem, actor, node, view, settings, clientSettings, lanes, counters, laneReceiver);
        var metrics = ClientMetrics.Register(counters, ((ExtendedActorSystem)system).Provider.DefaultAddress.ToString());
        _metrics = metrics;
        // A client left undisposed ends with its system (a node's, say): its measurements too.
        system.RegisterOnTermination(metrics.Dispose);
    }

    /// <summary>The actor system the client runs in (its own, or the node's it was connected through).</summary>
    internal ActorSystem System { get; }

    /// <summary>The actor that receives the results of every job of this client.</summary>
    internal IActorRef Actor { get; }

    /// <summary>What the client did (jobs, inputs; the <c>palm.client.*</c> metrics) and ignored (duplicated results, results from strangers).</summary>
    internal ClientCounters Counters { get; }

    /// <summary>The settings every component shares that the client runs with (<c>palm</c>).</summary>
    public PalmSettings Settings { get; }

    /// <summary>The client's own settings (<c>palm.client</c>): a job's default window and progress timeout.</summary>
    public ClientSettings ClientSettings { get; }

    /// <summary>The names of the servers the client currently knows.</summary>
    public IReadOnlyList<string> Servers => _view.Current.Servers.Select(s => s.Name).Order().ToArray();

    /// <summary>Connects from a new actor system of its own to the cluster node at <paramref name="contact"/> (e.g. <c>akka.tcp://palm@127.0.0.1:4053</c>).</summary>
    /// <param name="contact">Address of any node of the cluster.</param>
    /// <param name="config">Extra HOCON for the client's actor system, over <see cref="PalmConfig.Client"/>.</param>
    /// <param name="cancellationToken">Cancels the connection attempt.</param>
    /// <exception cref="PalmConnectException">The contact node could not be reached. The message names the cause (nothing listening,
    /// TLS on one side only, a certificate one side does not trust, a system or host name the node does not answer to) and the time
    /// it took to know: seconds, except for a node that is only slow, which gets <c>palm.connect-timeout</c>.</exception>
    /// <exception cref="ArgumentException"><paramref name="contact"/> is not an actor system address.</exception>
    public static async Task<PalmClient> ConnectAsync(string contact, Config? config = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(contact);
        var clock = Stopwatch.StartNew();
        var full = (config ?? Config.Empty).WithFallback(PalmConfig.Client);
        var settings = PalmSettings.Create(full);
        var clientSettings = ClientSettings.Create(full);
        Serialization.SerializerBindings.Check(full);
        var text = contact.Contains("/user/") ? contact : contact.TrimEnd('/') + "/user/" + Hosting.Internal.NodeActor.Name;
        if (!ActorPath.TryParse(text, out var path))
            throw new ArgumentException($"'{contact}' is not the address of a node: a contact reads akka.tcp://{settings.SystemName}@host:port.", nameof(contact));
        var system = PalmTls.CreateActorSystem(settings.SystemName + "-client", full);
        try
        {
            var node = await ContactProbe.ResolveAsync(system, path, settings, clock, cancellationToken);
            return await Start(system, ownsSystem: true, node, settings, clientSettings, cancellationToken);
        }
        catch
        {
            await system.Terminate();
            throw;
        }
    }

    /// <summary>
    /// Connects through the first node of <c>palm.client.contact-points</c> (in <paramref name="config"/>) that answers,
    /// trying them in order.
    /// </summary>
    /// <param name="config">HOCON for the client's actor system with <c>palm.client.contact-points</c>, over <see cref="PalmConfig.Client"/>.</param>
    /// <param name="cancellationToken">Cancels the connection attempts.</param>
    /// <exception cref="ConfigurationException"><c>palm.client.contact-points</c> is empty.</exception>
    /// <exception cref="PalmConnectException">No contact point could be reached; the message names each one's cause.</exception>
    public static async Task<PalmClient> ConnectAsync(Config? config = null, CancellationToken cancellationToken = default)
    {
        var contacts = ClientSettings.Create((config ?? Config.Empty).WithFallback(PalmConfig.Client)).ContactPoints;
        if (contacts.Count == 0)
            throw new ConfigurationException(
                "palm.client.contact-points is empty: list the address of at least one node (e.g. [\"akka.tcp://palm@10.0.0.1:4053\"]), or pass one to ConnectAsync.");
        var failures = new List<string>();
        foreach (var contact in contacts)
        {
            try
            {
                return await ConnectAsync(contact, config, cancellationToken).ConfigureAwait(false);
            }
            catch (PalmConnectException e) when (contacts.Count > 1)
            {
                failures.Add(e.Message);
            }
        }
        throw new PalmConnectException($"No node of palm.client.contact-points answered: {string.Join(" ", failures)}");
    }

    /// <summary>
    /// A client program's whole life, the Unix way: connects to <paramref name="contact"/>, runs <paramref name="work"/> with the
    /// client, disposes it, and returns the process's exit code (also set as <see cref="Environment.ExitCode"/>).
    /// A failure (the contact unreachable, a job that failed, a bad setting, anything <paramref name="work"/> throws)
    /// becomes one line on standard error and a <see cref="PalmExitCodes"/> code instead of an unhandled exception:
    /// <c>return await PalmClient.RunAsync("akka.tcp://palm@10.0.0.1:4053", async client => { ... });</c>
    /// </summary>
    /// <param name="contact">Address of any node of the cluster; null: the nodes of <c>palm.client.contact-points</c>.</param>
    /// <param name="work">What the program does with the client.</param>
    /// <param name="config">Extra HOCON for the client's actor system, over <see cref="PalmConfig.Client"/>.</param>
    /// <param name="cancellationToken">Stops the connection attempt and is handed to nobody else: pass it into <paramref name="work"/> yourself.</param>
    /// <returns><see cref="PalmExitCodes.Ok"/> once <paramref name="work"/> completed; otherwise the failure's code (<see cref="PalmExitCodes.Of"/>).</returns>
    public static async Task<int> RunAsync(string? contact, Func<PalmClient, Task> work, Config? config = null, CancellationToken cancellationToken = default) =>
        PalmExitCodes.Exit(await RunAsync(contact, work, config, Console.Error, cancellationToken).ConfigureAwait(false));

    /// <summary><see cref="RunAsync(string?, Func{PalmClient, Task}, Config?, CancellationToken)"/> writing its line to <paramref name="error"/>, without touching the process's exit code (tests).</summary>
    internal static async Task<int> RunAsync(string? contact, Func<PalmClient, Task> work, Config? config, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        try
        {
            await using var client = contact is null
                ? await ConnectAsync(config, cancellationToken).ConfigureAwait(false)
                : await ConnectAsync(contact, config, cancellationToken).ConfigureAwait(false);
            await work(client).ConfigureAwait(false);
            return PalmExitCodes.Ok;
        }
        catch (Exception e)
        {
            // The one mapping from a failure to a line and a code, shared with PalmHost.
            return PalmExitCodes.Report(e, error);
        }
    }

    /// <summary>Connects through the Palm node of <paramref name="system"/> (a test's system, or a node that also submits jobs).</summary>
    public static Task<PalmClient> ConnectAsync(ActorSystem system, CancellationToken cancellationToken = default)
    {
        var node = PalmNode.Get(system);
        return Start(system, ownsSystem: false, node.NodeActor, node.Settings, ClientSettings.Create(system), cancellationToken);
    }

    private static async Task<PalmClient> Start(ActorSystem system, bool ownsSystem, IActorRef node, PalmSettings settings, ClientSettings clientSettings, CancellationToken cancellationToken)
    {
        // The lane listens before the first job, so servers can send results on it.
        var lanes = DataLanes.Get(system);
        var view = new DirectoryView();
        var firstUpdate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var counters = new ClientCounters();
        var actor = system.ActorOf(Props.Create(() => new ClientActor(node, view, firstUpdate, settings, clientSettings, counters, trustLocal: !ownsSystem)), "palm-client-" + Guid.NewGuid().ToString("N"));
        var receiver = lanes.AddReceiver(actor);
        try
        {
            await firstUpdate.Task.WaitAsync(settings.ConnectTimeout, cancellationToken);
        }
        catch (Exception e)
        {
            receiver.Dispose();
            if (e is not TimeoutException) throw;
            throw new PalmConnectException($"The node {node.Path} answered, but sent no directory of servers within {settings.ConnectTimeout.TotalSeconds:0.#} s "
                + "(palm.connect-timeout): it is overloaded, or refused the subscription (palm.node.max-directory-subscribers; its log says so).", e);
        }
        return new PalmClient(system, ownsSystem, actor, node, view, settings, clientSettings, lanes, counters, receiver);
    }

    /// <summary>Waits until the cluster has every server in <paramref name="names"/> (with <paramref name="minWorkers"/> workers each).</summary>
    /// <exception cref="TimeoutException">Some are still missing after <paramref name="timeout"/>.</exception>
    public Task WaitForServersAsync(IEnumerable<string> names, TimeSpan timeout, int minWorkers = 0) =>
        _view.WaitForAsync(names, timeout, "the client", minWorkers);

    /// <summary>Runs a job over a stream of payloads; see <see cref="RunJob(IReadOnlyList{string}, IAsyncEnumerable{byte[]}, JobOptions?, CancellationToken)"/>.</summary>
    public IAsyncEnumerable<JobResult> RunJob(IReadOnlyList<string> route, IEnumerable<byte[]?> payloads, JobOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(payloads);
        // A collection's count is known without enumerating it: progress reports a total from the start.
        return Start((Step.ParseRoute(route), null), ToAsync(payloads), options, payloads.TryGetNonEnumeratedCount(out var count) ? count : null, cancellationToken);
    }

    /// <summary>
    /// Runs a job: every payload goes through <paramref name="route"/> (each step <c>server.function</c>)
    /// and the results stream back as they arrive. The stream ends by itself once every message derived
    /// from the inputs is done; at most <see cref="JobOptions.Window"/> inputs are in flight, so an endless
    /// source runs in bounded memory at the pace of the slowest step and of the consumer.
    /// </summary>
    /// <exception cref="PalmRouteException">The route is empty or malformed, or names an unknown server or function (thrown at once).</exception>
    /// <exception cref="PalmJobFailedException">While enumerating: a server on the route left the cluster, or the job made no
    /// progress for <see cref="JobOptions.ProgressTimeout"/> (a server of the route did not answer, or inputs were lost in transit).</exception>
    public IAsyncEnumerable<JobResult> RunJob(IReadOnlyList<string> route, IAsyncEnumerable<byte[]?> payloads, JobOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(payloads);
        return Start((Step.ParseRoute(route), null), payloads, options, null, cancellationToken);
    }

    /// <summary>Runs a job on a route that forks; see <see cref="RunJob(JobRoute, IAsyncEnumerable{byte[]}, JobOptions?, CancellationToken)"/>.</summary>
    public IAsyncEnumerable<JobResult> RunJob(JobRoute route, IEnumerable<byte[]?> payloads, JobOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(route);
        ArgumentNullException.ThrowIfNull(payloads);
        return Start(route.Build(), ToAsync(payloads), options, payloads.TryGetNonEnumeratedCount(out var count) ? count : null, cancellationToken);
    }

    /// <summary>
    /// Runs a job on a route that forks (<see cref="JobRoute"/>): every payload goes through the trunk, the fork step's outputs
    /// go to every branch (or those its stream hook picks), and results stream back tagged with their branch
    /// (<see cref="JobResult.Branch"/>). The stream ends by itself once every branch is done with every input.
    /// </summary>
    /// <exception cref="PalmRouteException">The route is malformed, or a step of the trunk, a branch or the join names an unknown server or function (thrown at once).</exception>
    /// <exception cref="PalmJobFailedException">While enumerating: a server of the trunk or the join left the cluster; or the job made no
    /// progress for <see cref="JobOptions.ProgressTimeout"/> (the message names a branch whose server left, if one did).</exception>
    public IAsyncEnumerable<JobResult> RunJob(JobRoute route, IAsyncEnumerable<byte[]?> payloads, JobOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(route);
        ArgumentNullException.ThrowIfNull(payloads);
        return Start(route.Build(), payloads, options, null, cancellationToken);
    }

    private IAsyncEnumerable<JobResult> Start((Step[] Steps, RouteShape? Shape) route, IAsyncEnumerable<byte[]?> payloads, JobOptions? options, long? total,
        CancellationToken cancellationToken)
    {
        options ??= new JobOptions();
        var job = NewJob(route.Steps, route.Shape, options);
        return Run(job, payloads, options.Window ?? ClientSettings.Window, inlinePump: false, JobProgressReporter.For(options, job, total), cancellationToken);
    }

    /// <summary>Sends one payload through <paramref name="route"/> and returns the first result (null if the route emitted nothing).</summary>
    /// <exception cref="PalmFunctionException">The result is an error.</exception>
    /// <exception cref="PalmRouteException">The route is invalid.</exception>
    /// <exception cref="PalmJobFailedException">A server on the route left the cluster, or no result came within the progress timeout
    /// (see <see cref="JobOptions.ProgressTimeout"/>).</exception>
    public async Task<byte[]?> EvalAsync(IReadOnlyList<string> route, byte[] payload, JobOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(payload);
        options ??= new JobOptions();
        var job = NewJob(Step.ParseRoute(route), null, options);
        byte[]? result = null;
        PalmError? error = null;
        // The job driver of RunJob, with its pump run on this thread: one input needs no task of its own.
        await foreach (var r in Run(job, ToAsync([payload]), 1, inlinePump: true, JobProgressReporter.For(options, job, 1), cancellationToken).ConfigureAwait(false))
        {
            if (r.IsError) error ??= r.Error;
            else result ??= r.ToArray();
        }
        return error is null ? result : throw new PalmFunctionException(error);
    }

    /// <summary>The cache of server <paramref name="server"/>.</summary>
    /// <exception cref="PalmRouteException">No such server.</exception>
    public IPalmCache Cache(string server)
    {
        if (!_view.Current.TryGet(server, out var entry))
            throw new PalmRouteException($"No server named '{server}' in the cluster; known: {string.Join(", ", Servers)}.", PalmRouteErrorKind.UnknownServer, server);
        return new RemoteCache(entry.Cache, Settings.AskTimeout);
    }

    /// <summary>
    /// The cluster as of now (<see cref="ClusterStatus"/>), within <c>palm.client.status-timeout</c> whatever happens: a node or
    /// server that does not answer in time (a paused process, a dead node, a server stuck in a function) is listed as such
    /// with what the directory knows of it; it never makes this throw. See docs/operations.md.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting for answers (then <see cref="OperationCanceledException"/>).</param>
    public Task<ClusterStatus> GetStatusAsync(CancellationToken cancellationToken = default) =>
        GetStatusAsync(ClientSettings.StatusTimeout, cancellationToken);

    /// <summary>The cluster as of now, as <see cref="GetStatusAsync(CancellationToken)"/>, giving nodes and servers <paramref name="bound"/> to answer.</summary>
    /// <param name="bound">How long to wait for answers: the call returns after about this long at most.</param>
    /// <param name="cancellationToken">Stops waiting for answers (then <see cref="OperationCanceledException"/>).</param>
    public Task<ClusterStatus> GetStatusAsync(TimeSpan bound, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(bound, TimeSpan.Zero);
        return StatusSurvey.TakeAsync(System, _node, _view.Current, bound, cancellationToken);
    }

    /// <summary>Parses and (unless told not to) validates the route, and makes the job's client-side state.</summary>
    private JobState NewJob(Step[] steps, RouteShape? shape, JobOptions options)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var current = _view.Current;
        if (options.ValidateRoute) Validate(steps, shape, current);
        var progressTimeout = options.ProgressTimeout ?? ClientSettings.ProgressTimeout;
        if (progressTimeout <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(options), progressTimeout, "JobOptions.ProgressTimeout must be positive.");
        var window = options.Window ?? ClientSettings.Window;
        // The route's servers that exist now: if one leaves, the job cannot finish (or, for a branch's, that branch).
        var watched = steps.Select(s => s.Server).Distinct().Where(s => current.TryGet(s, out _)).ToArray();
        return new JobState(new JobHeader(Guid.NewGuid(), Actor, steps, options.Session, options.CacheKey, shape), watched, progressTimeout, window);
    }

    private static void Validate(Step[] steps, RouteShape? shape, DirectorySnapshot snapshot)
    {
        for (var i = 0; i < steps.Length; i++)
        {
            var step = steps[i];
            var where = shape?.BranchOf(i) is >= 0 and var b ? $" of branch '{shape.Branches[b].Name}'" : "";
            if (!snapshot.TryGet(step.Server, out var entry))
                throw new PalmRouteException(
                    $"Step {i} ({step}){where} names server '{step.Server}', which the cluster does not have; known: {string.Join(", ", snapshot.Servers.Select(s => s.Name).Order())}.",
                    PalmRouteErrorKind.UnknownServer, step.Server, step.Function);
            if (!entry.Functions.Contains(step.Function))
                throw new PalmRouteException(
                    $"Step {i} ({step}){where} names function '{step.Function}', which server '{step.Server}' does not have; it has: {string.Join(", ", entry.Functions)}.",
                    PalmRouteErrorKind.UnknownFunction, step.Server, step.Function);
        }
    }

    /// <summary>
    /// The one job driver: registers the job, feeds its inputs through an <see cref="InputPump"/> (on a task of its
    /// own, or when <paramref name="inlinePump"/> on the caller's thread until it has to wait) and yields its results
    /// until every input is complete and every reduce on the route flushed. <paramref name="progress"/>: null unless the job
    /// asked for progress reports; each use is one null check.
    /// </summary>
    private async IAsyncEnumerable<JobResult> Run(JobState job, IAsyncEnumerable<byte[]?> payloads, int window, bool inlinePump,
        JobProgressReporter? progress, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Disposed once the pump is done with them (see the end).
        var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var slots = new SemaphoreSlim(window, window);
        // Until the loop below says otherwise, the job ends cancelled (an exception, or the consumer stopped reading).
        var outcome = JobOutcome.Cancelled;
        Counters.JobStarted(job);
        Actor.Tell(new RegisterJob(job));
        var pump = inlinePump
            ? new InputPump(job, _view, Settings, slots, _lanes).RunAsync(payloads, stop.Token)
            : Task.Run(() => new InputPump(job, _view, Settings, slots, _lanes).RunAsync(payloads, stop.Token), CancellationToken.None);
        try
        {
            long completed = 0, total = -1;
            var freed = 0;
            var reader = job.Events.Reader;
            // A job ends once every input is complete; with a reduce on the route (known before the last input
            // completes, see StageTracker), once the client actor has flushed the reduces and says so.
            while (total < 0 || completed < total || job.Stages.Active)
            {
                // Window slots of completed inputs go back in bulk, whenever the reader has caught up
                // (or every 256): one semaphore operation per burst of results instead of one per input.
                if (!reader.TryRead(out var e))
                {
                    if (freed > 0)
                    {
                        slots.Release(freed);
                        freed = 0;
                    }
                    e = await reader.ReadAsync(stop.Token).ConfigureAwait(false);
                }
                if (e.Result is not null)
                {
                    progress?.Result(e.Result);
                    yield return e.Result;
                }
                if (e.OwnStage >= 0 && job.MarkConsumed(e.OwnStage)) Actor.Tell(new OwnMessagesConsumed(job.Header.JobId));
                if (e.CompletedInput >= 0)
                {
                    completed++;
                    progress?.Completed(completed);
                    if (++freed >= 256)
                    {
                        slots.Release(freed);
                        freed = 0;
                    }
                }
                else if (e.SourceTotal >= 0)
                {
                    total = e.SourceTotal;
                    progress?.SourceDone(total);
                    Actor.Tell(new SourceExhausted(job.Header.JobId, total));
                }
                else if (e.End) break;
                else if (e.Failure is not null)
                {
                    outcome = JobOutcome.Failed;
                    progress?.Final();
                    throw e.Failure;
                }
                progress?.Tick();
            }
            outcome = JobOutcome.Completed;
            progress?.Final();
        }
        finally
        {
            Counters.JobEnded(job, outcome);
            stop.Cancel();
            Actor.Tell(new UnregisterJob(job.Header.JobId));
            if (outcome == JobOutcome.Completed || pump.IsCompleted)
            {
                try
                {
                    await pump.ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // The consumer stopped early; the pump stops with it.
                }
                finally
                {
                    slots.Dispose();
                    stop.Dispose();
                }
            }
            else
            {
                // A job that ends early does not wait for its source: a read of a pipe or a terminal may block until more comes,
                // whatever the token says. The pump sees the token once the read returns, sends nothing more, and then lets go of
                // the window and the token (disposed under a waiting pump, a semaphore would never wake it).
                _ = pump.ContinueWith(_ =>
                {
                    slots.Dispose();
                    stop.Dispose();
                }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            }
        }
    }

    private static async IAsyncEnumerable<byte[]?> ToAsync(IEnumerable<byte[]?> payloads)
    {
        foreach (var p in payloads) yield return p;
        await Task.CompletedTask;
    }

    /// <summary>Leaves the contact node and, for a client with its own actor system, shuts that system down.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _metrics.Dispose();
        await Actor.GracefulStop(Settings.AskTimeout).ConfigureAwait(false);
        _laneReceiver.Dispose();
        if (_ownsSystem) await System.Terminate().ConfigureAwait(false);
    }
}
