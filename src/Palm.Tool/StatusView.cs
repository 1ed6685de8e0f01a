using System.Globalization;
using System.Text.Json;
using Palm.Client;
using Palm.Hosting;
using Palm.Servers;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Palm.Tool;

/// <summary>How <c>palm status</c> shows a <see cref="ClusterStatus"/>: two tables and a verdict, or JSON.</summary>
internal static class StatusView
{
    /// <summary>
    /// The JSON of <c>--json</c>: camelCase names as scripts expect, states as words (the enums say so), durations as
    /// <c>[d.]hh:mm:ss[.fffffff]</c>, and <c>healthy</c> beside the data. Reading it back with these options gives the same status.
    /// </summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static readonly JsonSerializerOptions Indented = new(Json) { WriteIndented = true };

    /// <summary>The status as JSON: indented for a person, or on one line (<c>--watch</c>: one document a line).</summary>
    public static string ToJson(ClusterStatus status, bool indented) => JsonSerializer.Serialize(status, indented ? Indented : Json);

    /// <summary>The exit code of a status: <see cref="PalmExitCodes.Ok"/> when healthy, <see cref="PalmExitCodes.Failure"/> otherwise.</summary>
    public static int ExitCode(ClusterStatus status) => status.Healthy ? PalmExitCodes.Ok : PalmExitCodes.Failure;

    /// <summary>The header, the nodes, the servers and the verdict, as one renderable.</summary>
    public static IRenderable Render(ClusterStatus status) =>
        new Rows(Header(status), Nodes(status), Servers(status), new Markup(Verdict(status, markup: true)));

    private static Markup Header(ClusterStatus status) =>
        new($"[bold]palm status[/] {Escape(status.Time.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture))} through "
            + $"{Escape(status.Contact)} (members as {Escape(status.MembershipFrom ?? "no node")} sees them; bound {Seconds(status.Bound)})");

    /// <summary>One row per node: address, state, roles, up time, answered.</summary>
    public static Table Nodes(ClusterStatus status)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("Nodes")
            .AddColumns("Address", "State", "Roles", "Up time", "Answered");
        foreach (var n in status.Nodes)
        {
            table.AddRow(Escape(n.Address), Colored(n.State.ToString(), NodeColor(n.State)), Escape(string.Join(", ", n.Roles)),
                n.UpTime is { } up ? UpTime(up) : "-", n.Answered ? "yes" : Colored("no", n.State == NodeState.Removed ? "grey" : "red"));
        }
        if (status.Nodes.Count == 0) table.AddRow("[grey](none)[/]", "", "", "", "");
        return table;
    }

    /// <summary>One row per server instance: identity, template, role, state, functions and its counters.</summary>
    public static Table Servers(ClusterStatus status)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("Servers")
            .AddColumns("Instance", "Template", "Role", "State", "Functions")
            .AddColumns(new TableColumn("In").RightAligned(), new TableColumn("Out").RightAligned(), new TableColumn("Errors").RightAligned(),
                new TableColumn("User time").RightAligned(), new TableColumn("In flight").RightAligned(), new TableColumn("Workers").RightAligned());
        foreach (var s in status.Servers)
        {
            var answered = s.State == ServerState.Up;
            table.AddRow(Escape(s.Instance), Escape(s.Template), Escape(s.Role), Colored(s.State.ToString(), answered ? "green" : "red"),
                Escape(string.Join(" ", s.Functions)), Count(s.MessagesIn, answered), Count(s.MessagesOut, answered),
                s.Errors > 0 ? Colored(s.Errors.ToString("N0", CultureInfo.InvariantCulture), "yellow") : Count(s.Errors, answered),
                answered ? Seconds(s.UserTime) : "-", Count(s.InFlight, answered),
                s.Role == "leader" ? Count(s.Workers, answered) : "");
        }
        if (status.Servers.Count == 0) table.AddRow("[grey](none)[/]", "", "", "", "", "", "", "", "", "", "");
        return table;
    }

    /// <summary>
    /// The verdict in a line: <c>healthy: 3 nodes, 4 servers</c>, or <c>NOT healthy: </c> and what is wrong
    /// (servers that did not answer, nodes not Up), as <see cref="ClusterStatus.Healthy"/> judges.
    /// </summary>
    public static string Verdict(ClusterStatus status, bool markup = false)
    {
        var nodes = status.Nodes.Count(n => n.State != NodeState.Removed);
        var figures = $"{nodes} node{(nodes == 1 ? "" : "s")}, {status.Servers.Count} server{(status.Servers.Count == 1 ? "" : "s")}";
        if (status.Healthy) return markup ? $"[green]healthy[/]: {figures}" : $"healthy: {figures}";
        var faults = status.Servers.Where(s => s.State != ServerState.Up).Select(s => $"{s.Instance} {s.State}")
            .Concat(status.Nodes.Where(n => n.State != NodeState.Removed && !(n.Answered && n.State is NodeState.Up or NodeState.WeaklyUp))
                .Select(n => $"node {n.Address} {n.State}{(n.Answered ? "" : ", not answering")}"));
        var text = $"NOT healthy ({figures}): {string.Join("; ", faults)}";
        return markup ? "[red]NOT healthy[/]" + Escape(text["NOT healthy".Length..]) : text;
    }

    /// <summary><c>m:ss</c>, <c>h:mm:ss</c>, or with days <c>2d 3:04:05</c>.</summary>
    public static string UpTime(TimeSpan time) =>
        time.Days > 0 ? $"{time.Days}d {time.Hours}:{time.Minutes:00}:{time.Seconds:00}" : JobSnapshot.Clock(time);

    private static string Seconds(TimeSpan time) => time.TotalSeconds.ToString("N3", CultureInfo.InvariantCulture) + " s";

    private static string Count(long value, bool answered) => answered ? value.ToString("N0", CultureInfo.InvariantCulture) : "-";

    private static string NodeColor(NodeState state) => state switch
    {
        NodeState.Up or NodeState.WeaklyUp => "green",
        NodeState.Removed => "grey",
        NodeState.Joining or NodeState.Leaving or NodeState.Exiting => "yellow",
        _ => "red",
    };

    private static string Colored(string text, string color) => $"[{color}]{Escape(text)}[/]";

    private static string Escape(string text) => Markup.Escape(text);
}
