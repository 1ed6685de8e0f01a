using Akka.Actor;
using Palm.Dispatch;
using Palm.Messages;
using Palm.Servers;
using Palm.Templates.Internal;
using Palm.Templates.Parallel;
using Palm.Templates.Parallel.Internal;
using Palm.Templates.Reduce.Internal;
using Palm.Templates.ScatterGather.Internal;
using Palm.Templates.Sink.Internal;
using Palm.Templates.Source.Internal;

namespace Palm.Templates;

/// <summary>
/// A server template that makes its own actor: a seam for tests that need a server with a faulty
/// transport behind it. Palm's own templates are chosen by <see cref="ServerTemplates"/>.
/// </summary>
internal interface IServerActorFactory
{
    /// <summary>Creates the actor that plays <paramref name="role"/> for the server.</summary>
    Props CreateProps(ServerRuntime runtime, ServerRole role);
}

/// <summary>The one table that maps a server's base class and role to the actor that plays it.</summary>
internal static class ServerTemplates
{
    /// <summary>Creates the actor that plays <paramref name="role"/> for <paramref name="runtime"/>'s server.</summary>
    /// <param name="runtime">The server and the node's shared services.</param>
    /// <param name="role">The role the actor plays.</param>
    /// <param name="parallel">The leaders' and workers' settings (<c>palm.butterfly</c>), read once per node.</param>
    /// <exception cref="PalmConfigurationException">The template has no such role.</exception>
    public static Props PropsFor(ServerRuntime runtime, ServerRole role, ParallelSettings parallel) => runtime.Instance switch
    {
        ReduceServer reduce => Parallel(runtime, role, parallel, ops => new ReduceStage(ops, reduce)),
        ScatterGatherServer scatter => Parallel(runtime, role, parallel, ops => new ScatterGatherStage(ops, scatter)),
        SourceServer => Parallel(runtime, role, parallel, ops => new SourceStage(ops)),
        SinkServer sink => Parallel(runtime, role, parallel, ops => new SinkStage(ops, sink)),
        ButterflyServer when role == ServerRole.Standalone => Props.Create(() => new RegisteredServerActor(runtime)),
        ButterflyServer => Parallel(runtime, role, parallel, static ops => new ButterflyStage(ops)),
        RegisteredServer => role == ServerRole.Standalone
            ? Props.Create(() => new RegisteredServerActor(runtime))
            : throw new PalmConfigurationException(
                $"Server '{runtime.Name}' is a {nameof(RegisteredServer)}, which has no leader or workers; derive from ButterflyServer for a parallel server."),
        IServerActorFactory custom => custom.CreateProps(runtime, role),
        var other => throw new PalmConfigurationException(
            $"Server '{runtime.Name}' derives from {other.GetType().BaseType?.Name}, which is not a Palm template; derive from RegisteredServer, ButterflyServer, ScatterGatherServer, ReduceServer, SourceServer or SinkServer."),
    };

    private static Props Parallel(ServerRuntime runtime, ServerRole role, ParallelSettings parallel, Func<LeaderOps, ILeaderStage> stage) => role switch
    {
        ServerRole.Leader => Props.Create(() => new LeaderActor(runtime, parallel, stage)),
        ServerRole.Worker => Props.Create(() => new WorkerActor(runtime, parallel)),
        _ => Props.Create(() => new StageServerActor(runtime, stage)),
    };
}
