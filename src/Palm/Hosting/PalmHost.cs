using Akka.Actor;
using Akka.Cluster;
using Palm.Configuration;
using Palm.Hosting.Internal;
using Palm.Security;
using Palm.Security.Internal;
using Palm.Servers;
using AkkaCluster = Akka.Cluster.Cluster;

namespace Palm.Hosting;

/// <summary>
/// Starts nodes: each its own actor system joined to the cluster (pylm's <c>run_server</c>).
/// </summary>
public static class PalmHost
{
    /// <summary>
    /// Starts a node hosting server <paramref name="name"/> of type <typeparamref name="TServer"/>, configured
    /// from <paramref name="args"/> (see <see cref="NodeOptions.Parse"/>), and runs until the process is
    /// stopped (Ctrl+C or SIGTERM make the node leave the cluster first).
    /// </summary>
    public static async Task RunServerAsync<TServer>(string name, string[] args, CancellationToken cancellationToken = default)
        where TServer : PalmServer, new()
    {
        var options = NodeOptions.Parse(args);
        var node = await StartNodeAsync(options, cancellationToken);
        await node.StartServerAsync(new TServer(), name, options.Role);
        Console.WriteLine($"palm: server '{name}' ({options.Role.ToString().ToLowerInvariant()}) up at {node.Address}");
        await WaitForShutdown(node.System, cancellationToken);
    }

    /// <summary>Starts a node with no server of its own (a seed, or a contact point for clients) and runs until stopped.</summary>
    public static async Task RunNodeAsync(string[] args, CancellationToken cancellationToken = default)
    {
        var node = await StartNodeAsync(NodeOptions.Parse(args), cancellationToken);
        Console.WriteLine($"palm: node up at {node.Address}");
        await WaitForShutdown(node.System, cancellationToken);
    }

    /// <summary>
    /// Creates a node's actor system and joins the cluster: through the seeds, or as the founder of a new
    /// cluster when there are none. Returns once the node is a member (status WeaklyUp or Up).
    /// </summary>
    /// <exception cref="TimeoutException">The node did not join within <c>palm.connect-timeout</c>.</exception>
    public static async Task<PalmNode> StartNodeAsync(NodeOptions options, CancellationToken cancellationToken = default)
    {
        var config = options.ToConfig();
        var settings = NodeComponentSettings.Read(config).Shared;
        var system = PalmTls.CreateActorSystem(settings.SystemName, config);
        ExposureWarning.LogIfExposed(system);
        try
        {
            var cluster = AkkaCluster.Get(system);
            var up = MemberUpOrWeaklyUp(system, cluster);
            if (system.Settings.Config.GetStringList("akka.cluster.seed-nodes").Count == 0)
                cluster.Join(cluster.SelfAddress);
            var node = PalmNode.Get(system);
            try
            {
                await up.WaitAsync(settings.ConnectTimeout, cancellationToken);
            }
            catch (TimeoutException e)
            {
                throw new TimeoutException(
                    $"Node {cluster.SelfAddress} did not join the cluster within {settings.ConnectTimeout}; check the seed nodes "
                    + $"({string.Join(", ", system.Settings.Config.GetStringList("akka.cluster.seed-nodes"))}).", e);
            }
            return node;
        }
        catch
        {
            await system.Terminate();
            throw;
        }
    }

    /// <summary>
    /// Completes once this node is WeaklyUp or Up. While dead members are still unreachable (not yet
    /// downed) the cluster cannot converge and no joining node becomes Up; WeaklyUp nodes already
    /// take part (their servers are in every directory), so a replacement worker starts working at once.
    /// </summary>
    private static Task MemberUpOrWeaklyUp(ActorSystem system, AkkaCluster cluster)
    {
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var watcher = system.ActorOf(Props.Create(() => new SelfUpWatcher(cluster, up)));
        up.Task.ContinueWith(_ => system.Stop(watcher), TaskScheduler.Default);
        return up.Task;
    }

    private sealed class SelfUpWatcher : ReceiveActor
    {
        private readonly AkkaCluster _cluster;

        public SelfUpWatcher(AkkaCluster cluster, TaskCompletionSource up)
        {
            _cluster = cluster;
            Receive<ClusterEvent.IMemberEvent>(e =>
            {
                if (e.Member.Address.Equals(cluster.SelfAddress) && e.Member.Status is MemberStatus.Up or MemberStatus.WeaklyUp)
                    up.TrySetResult();
            });
        }

        protected override void PreStart() =>
            _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.IMemberEvent));

        protected override void PostStop() => _cluster.Unsubscribe(Self);
    }

    /// <summary>Leaves the cluster gracefully and terminates the node's actor system.</summary>
    public static Task StopNodeAsync(PalmNode node) =>
        CoordinatedShutdown.Get(node.System).Run(CoordinatedShutdown.ClrExitReason.Instance);

    private static async Task WaitForShutdown(ActorSystem system, CancellationToken cancellationToken)
    {
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClrExitReason.Instance);
        };
        await using var registration = cancellationToken.Register(() => CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClrExitReason.Instance));
        await system.WhenTerminated;
    }
}
