using System.Diagnostics;
using Akka.Actor;
using Akka.Cluster;
using Palm.Discovery;
using Palm.Discovery.Internal;
using Palm.Servers;

namespace Palm.Client.Internal;

/// <summary>
/// Takes a <see cref="ClusterStatus"/> within a bound: asks the contact node for the cluster's members, every node for
/// its up time and every server instance of the directory for its counters, all at once, each ask bounded by what is
/// left of the time. Whatever has not answered by then is listed as silent, or unreachable when the cluster says its
/// node is; an ask that fails is an answer not given, never an exception.
/// </summary>
internal static class StatusSurvey
{
    public static async Task<ClusterStatus> TakeAsync(ActorSystem system, IActorRef contact, DirectorySnapshot directory, TimeSpan bound,
        CancellationToken cancellationToken)
    {
        var time = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        // An in-node client's contact is a local reference: its address is the system's own.
        var contactAddress = (contact.Path.Address.HasLocalScope ? ((ExtendedActorSystem)system).Provider.DefaultAddress : contact.Path.Address).ToString();

        Task<T?> Ask<T>(ICanTell target, object message) where T : class => AskOrNull<T>(target, message, Left(clock, bound), cancellationToken);
        Task<NodeReport?> AskNode(string address) => Address.TryParse(address, out var parsed)
            ? Ask<NodeReport>(system.ActorSelection(Hosting.Internal.NodeActor.PathAt(parsed)), GetNodeStatus.Instance)
            : Task.FromResult<NodeReport?>(null);

        var nodeAsks = new Dictionary<string, Task<NodeReport?>>(StringComparer.Ordinal) { [contactAddress] = Ask<NodeReport>(contact, GetNodeStatus.Instance) };
        foreach (var node in directory.All.Select(e => e.Node).Distinct(StringComparer.Ordinal))
            nodeAsks.TryAdd(node, AskNode(node));
        var serverAsks = directory.All.Select(e => (Entry: e, Report: Ask<ServerReport>(e.Server, GetServerStatus.Instance))).ToArray();

        // The member states are the contact's view; if it is silent, any other node's will do.
        var membership = await nodeAsks[contactAddress].ConfigureAwait(false);
        if (membership is null)
            foreach (var ask in nodeAsks.Values)
                membership ??= await ask.ConfigureAwait(false);
        var members = membership?.Members.GroupBy(m => m.Address, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal)
            ?? new Dictionary<string, MemberReport>(StringComparer.Ordinal);
        // Members without servers (a seed) are asked for their up time too; members that cannot answer are not waited for.
        foreach (var member in members.Values.Where(m => CanAnswer(m)))
            nodeAsks.TryAdd(member.Address, AskNode(member.Address));

        var hopeless = members.Values.Where(m => !CanAnswer(m)).Select(m => m.Address).ToHashSet(StringComparer.Ordinal);
        await Task.WhenAll(nodeAsks.Where(a => !hopeless.Contains(a.Key)).Select(a => a.Value)
            .Concat(serverAsks.Where(a => !hopeless.Contains(a.Entry.Node)).Select(a => (Task)a.Report))).ConfigureAwait(false);

        var reports = new Dictionary<string, NodeReport>(StringComparer.Ordinal);
        foreach (var ask in nodeAsks.Values)
            if (ask.IsCompletedSuccessfully && ask.Result is { } report) reports.TryAdd(report.Address, report);

        var nodes = members.Keys.Concat(nodeAsks.Keys).Concat(reports.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Select(address => Node(address, members.GetValueOrDefault(address), reports.GetValueOrDefault(address)))
            .ToArray();
        var stateOf = nodes.ToDictionary(n => n.Address, n => n.State, StringComparer.Ordinal);
        var servers = serverAsks
            .Select(a => Server(a.Entry, a.Report.IsCompletedSuccessfully ? a.Report.Result : null, stateOf.GetValueOrDefault(a.Entry.Node)))
            .OrderBy(s => s.Name, StringComparer.Ordinal).ThenBy(s => s.Role, StringComparer.Ordinal).ThenBy(s => s.Instance, StringComparer.Ordinal)
            .ToArray();
        return new ClusterStatus(time, bound, contactAddress, membership?.Address, nodes, servers);
    }

    /// <summary>What is left of the bound; never zero, so that an ask started late still gets a chance at an answer already on its way.</summary>
    private static TimeSpan Left(Stopwatch clock, TimeSpan bound) =>
        TimeSpan.FromTicks(Math.Max((bound - clock.Elapsed).Ticks, TimeSpan.TicksPerMillisecond));

    /// <summary>The answer of <paramref name="target"/>, or null if it gives none in time.</summary>
    public static async Task<T?> AskOrNull<T>(ICanTell target, object message, TimeSpan timeout, CancellationToken cancellationToken) where T : class
    {
        try
        {
            return await target.Ask<T>(message, timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // Timed out, a dead target, an answer of another kind: no answer.
            return null;
        }
    }

    /// <summary>Whether a member can be expected to answer: it is reachable and still a member.</summary>
    private static bool CanAnswer(MemberReport member) => member.Reachable && member.Status is not (MemberStatus.Down or MemberStatus.Removed);

    private static NodeStatus Node(string address, MemberReport? member, NodeReport? report)
    {
        var roles = member?.Roles ?? report?.Members.FirstOrDefault(m => m.Address == address)?.Roles ?? [];
        return new NodeStatus(address, StateOf(member), report is not null, report?.UpTime, roles);
    }

    private static NodeState StateOf(MemberReport? member) => member switch
    {
        null => NodeState.Unknown,
        { Status: MemberStatus.Down } => NodeState.Down,
        { Status: MemberStatus.Removed } => NodeState.Removed,
        { Reachable: false } => NodeState.Unreachable,
        { Status: MemberStatus.Up } => NodeState.Up,
        { Status: MemberStatus.WeaklyUp } => NodeState.WeaklyUp,
        { Status: MemberStatus.Joining } => NodeState.Joining,
        { Status: MemberStatus.Exiting } => NodeState.Exiting,
        _ => NodeState.Leaving, // Leaving, PreparingForShutdown, ReadyForShutdown
    };

    private static ServerStatus Server(ServerEntry entry, ServerReport? report, NodeState node) =>
        new(entry.Name, entry.Template, entry.Role.ToString().ToLowerInvariant(), entry.Node,
            report?.MessagesIn ?? 0, report?.MessagesOut ?? 0, report?.Errors ?? 0, report?.UserTime ?? TimeSpan.Zero, report?.Workers ?? 0)
        {
            Instance = report?.Instance ?? InstanceIdentity.Of(entry),
            State = report is not null ? ServerState.Up
                : node is NodeState.Unreachable or NodeState.Down or NodeState.Removed ? ServerState.Unreachable
                : ServerState.Silent,
            Functions = entry.Functions,
            UpTime = report?.UpTime,
            InFlight = report?.InFlight ?? 0,
        };
}
