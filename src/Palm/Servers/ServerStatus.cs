using Palm.Messages;

namespace Palm.Servers;

/// <summary>A snapshot of one server's counters, as an operator sees it.</summary>
/// <param name="Name">Server name.</param>
/// <param name="Template">Template class (RegisteredServer, ButterflyServer...).</param>
/// <param name="Role">The <see cref="ServerRole"/> it plays, in lower case: standalone, leader or worker.</param>
/// <param name="Node">Address of the node hosting it.</param>
/// <param name="MessagesIn">Messages handed to its functions.</param>
/// <param name="MessagesOut">Payloads its functions produced.</param>
/// <param name="Errors">Error results it produced.</param>
/// <param name="UserTime">Wall time spent in its functions.</param>
/// <param name="Workers">For a leader, the number of workers it currently uses.</param>
public sealed record ServerStatus(
    string Name, string Template, string Role, string Node, long MessagesIn, long MessagesOut, long Errors, TimeSpan UserTime, int Workers) : IPalmControlMessage;
