using Akka.Actor;
using Akka.Configuration;
using Palm.Messages;
using Palm.Servers;

namespace Palm.Hosting;

/// <summary>
/// Starts nodes: each its own actor system joined to the cluster (pylm's <c>run_server</c>).
/// </summary>
/// <remarks>
/// <see cref="RunServerAsync{TServer}"/> and <see cref="RunNodeAsync"/> are whole programs: they print one
/// line when the node is up (how it became a member: founding a new cluster, or joined through which seed)
/// and one when it has left the cluster, and a failure to start is one line on standard error, never an
/// unhandled exception. <c>--help</c> prints <see cref="NodeOptions.HelpText"/> and exits 0. Their result, also set as
/// <see cref="Environment.ExitCode"/>, is one of <see cref="PalmExitCodes"/>.
/// </remarks>
public static class PalmHost
{
    /// <summary>
    /// Runs a node hosting server <paramref name="name"/> of type <typeparamref name="TServer"/>, configured
    /// from <paramref name="args"/> (see <see cref="NodeOptions.Parse"/>), until the process is stopped
    /// (Ctrl+C or SIGTERM make the node leave the cluster first).
    /// </summary>
    /// <returns>The process exit code (<see cref="PalmExitCodes"/>), also set as <see cref="Environment.ExitCode"/>.</returns>
    public static Task<int> RunServerAsync<TServer>(string name, string[] args, CancellationToken cancellationToken = default)
        where TServer : PalmServer, new() =>
        RunAsync(args, async (options, node) =>
        {
            await node.StartServerAsync(new TServer(), name, options.Role);
            return $"server '{name}' ({options.Role.ToString().ToLowerInvariant()})";
        }, cancellationToken);

    /// <summary>Runs a node with no server of its own (a seed, or a contact point for clients) until the process is stopped.</summary>
    /// <returns>The process exit code (<see cref="PalmExitCodes"/>), also set as <see cref="Environment.ExitCode"/>.</returns>
    public static Task<int> RunNodeAsync(string[] args, CancellationToken cancellationToken = default) =>
        RunAsync(args, (_, _) => Task.FromResult("node"), cancellationToken);

    private static async Task<int> RunAsync(string[] args, Func<NodeOptions, PalmNode, Task<string>> start, CancellationToken cancellationToken)
    {
        PalmNode node;
        string what;
        string how;
        try
        {
            var options = NodeOptions.Parse(args);
            if (options.Help)
            {
                Console.WriteLine($"usage: {AppDomain.CurrentDomain.FriendlyName} [node flags]");
                Console.WriteLine(NodeOptions.HelpText);
                return PalmExitCodes.Exit(PalmExitCodes.Ok);
            }
            (node, how) = await StartAsync(options, cancellationToken);
            try
            {
                what = await start(options, node);
            }
            catch
            {
                await node.System.Terminate();
                throw;
            }
        }
        catch (Exception e)
        {
            return PalmExitCodes.Exit(PalmExitCodes.Report(e, Console.Error));
        }
        Console.WriteLine($"palm: {what} up at {node.Address}, {how}");
        await WaitForShutdown(node.System, cancellationToken);
        if (CoordinatedShutdown.Get(node.System).ShutdownReason is CoordinatedShutdown.ClusterDowningReason)
        {
            Console.Error.WriteLine($"palm: {what} at {node.Address} was downed by the cluster and stopped");
            return PalmExitCodes.Exit(PalmExitCodes.Failure);
        }
        Console.WriteLine($"palm: {what} at {node.Address} left the cluster");
        return PalmExitCodes.Exit(PalmExitCodes.Ok);
    }

    /// <summary>
    /// Creates a node's actor system (<see cref="PalmNodeBootstrap"/>) and joins the cluster: through the seeds, or as the founder of a new
    /// cluster when there are none. Returns once the node is a member (status WeaklyUp or Up). A node given
    /// seed nodes that do not start with itself never founds a cluster of its own.
    /// </summary>
    /// <exception cref="PalmBindException">A port the node must listen on (Akka.Remote's, or a fixed <c>palm.lane.port</c>) is taken; the message names it and, where the OS says, its holder.</exception>
    /// <exception cref="PalmConnectException">The node did not join within <c>palm.connect-timeout</c>; the message names each seed and what trying it met.</exception>
    /// <exception cref="ConfigurationException">A setting is malformed; the message names the key.</exception>
    public static async Task<PalmNode> StartNodeAsync(NodeOptions options, CancellationToken cancellationToken = default) =>
        (await StartAsync(options, cancellationToken)).Node;

    /// <summary>Starts a node as <see cref="StartNodeAsync"/> does, and says how it became a member (the end of its "up" line).</summary>
    internal static Task<(PalmNode Node, string How)> StartAsync(NodeOptions options, CancellationToken cancellationToken)
    {
        var bootstrap = PalmNodeBootstrap.Create(options);
        return bootstrap.JoinAsync(bootstrap.CreateActorSystem(), cancellationToken);
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
