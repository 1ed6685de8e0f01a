using System.Text.Json.Serialization;

namespace Palm.Servers;

/// <summary>
/// One server instance (a server that runs alone, a leader, or one worker) as an operator sees it, one row of
/// <c>PalmClient.GetStatusAsync</c>. What the directory knows (name, template, role, node, functions, instance) is
/// there for every row; the counters, <see cref="InFlight"/> and <see cref="UpTime"/> are the instance's own answer,
/// zero and null when <see cref="State"/> says it gave none in time.
/// </summary>
/// <param name="Name">Server name.</param>
/// <param name="Template">Template class (RegisteredServer, ButterflyServer...).</param>
/// <param name="Role">The <see cref="ServerRole"/> it plays, in lower case: standalone, leader or worker.</param>
/// <param name="Node">Address of the node hosting it.</param>
/// <param name="MessagesIn">Messages handed to its functions (for a leader: accepted to spread over its workers).</param>
/// <param name="MessagesOut">Payloads its functions produced.</param>
/// <param name="Errors">Error results it produced.</param>
/// <param name="UserTime">Wall time spent in its functions.</param>
/// <param name="Workers">For a leader, the number of workers it currently uses.</param>
public sealed record ServerStatus(
    string Name, string Template, string Role, string Node, long MessagesIn, long MessagesOut, long Errors, TimeSpan UserTime, int Workers)
{
    /// <summary>
    /// The identity of this instance, unique in the cluster and the same one its functions see as
    /// <see cref="MessageContext.Instance"/>: <c>name@host:port</c> alone, <c>name/leader@host:port</c>, <c>name/worker-N@host:port</c>.
    /// </summary>
    public string Instance { get; init; } = "";

    /// <summary>Whether it answered within the bound of the status request, or why not.</summary>
    public ServerState State { get; init; } = ServerState.Up;

    /// <summary>The names of its functions (every server also has <c>echo</c>).</summary>
    public IReadOnlyList<string> Functions { get; init; } = [];

    /// <summary>Time since it started; null when it did not answer.</summary>
    public TimeSpan? UpTime { get; init; }

    /// <summary>
    /// Messages it accepted and has not finished with: waiting in it or in a call (a leader: waiting for a worker, or
    /// held by one). A full mailbox is not counted: those messages are not accepted yet.
    /// </summary>
    public int InFlight { get; init; }
}

/// <summary>Whether a server instance answered a status request in time (<see cref="ServerStatus.State"/>).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ServerState>))]
public enum ServerState
{
    /// <summary>It answered within the bound: its counters are current.</summary>
    Up,

    /// <summary>
    /// It did not answer in time, though its node is a reachable member: busy in a function that does not return (a
    /// synchronous function, or an awaited one of a server allowed one call at a time, holds its mailbox), overloaded,
    /// or its node is paused and not yet found unreachable.
    /// </summary>
    Silent,

    /// <summary>It did not answer, and its node is unreachable, down or no longer a member.</summary>
    Unreachable,
}
