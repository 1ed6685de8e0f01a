namespace Palm.Servers;

/// <summary>
/// The part a server instance plays; <see cref="ServerStatus.Role"/> names it in lower case.
/// </summary>
public enum ServerRole
{
    /// <summary>
    /// A server that processes its messages itself (every template's default when started alone): a
    /// <see cref="RegisteredServer"/> always, another template without a role flag.
    /// </summary>
    Standalone,
    /// <summary>The entry point of a parallel server: spreads messages over workers and forwards their results.</summary>
    Leader,
    /// <summary>A worker of a parallel server: calls the functions for its leader.</summary>
    Worker,
}
