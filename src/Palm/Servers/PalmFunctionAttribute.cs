namespace Palm.Servers;

/// <summary>
/// Exposes a method of a server as a function that routes can name. The method takes the payload as
/// <c>byte[]</c> or <c>ReadOnlyMemory&lt;byte&gt;</c>, optionally followed by a <see cref="MessageContext"/>,
/// and returns one payload (<c>byte[]</c>, <c>ReadOnlyMemory&lt;byte&gt;</c>), several
/// (<c>IEnumerable&lt;byte[]&gt;</c>, <c>IEnumerable&lt;ReadOnlyMemory&lt;byte&gt;&gt;</c>), nothing
/// (<c>void</c> or null), or a <c>Task</c>/<c>ValueTask</c> of any of these.
/// </summary>
/// <param name="name">The function's name in routes; defaults to the method's name.</param>
[AttributeUsage(AttributeTargets.Method, Inherited = true)]
public sealed class PalmFunctionAttribute(string? name = null) : Attribute
{
    /// <summary>The function's name in routes, or null to use the method's name.</summary>
    public string? Name { get; } = name;

    /// <summary>
    /// How many calls of this function may run at once on one server instance (a serial server, or each
    /// butterfly worker). Only for asynchronous functions (returning a <c>Task</c> or <c>ValueTask</c>): an
    /// I/O-bound step (an HTTP call, a query) then keeps N calls waiting at once instead of needing N workers.
    /// Their outputs leave in the order the calls finish; completion, errors and exactly-once are unchanged.
    /// 0 (the default): <c>palm.server.max-concurrency</c>, itself 1 by default. Synchronous functions always
    /// run one call at a time on the server's own thread; a value above 1 on one fails when the server starts.
    /// </summary>
    public int MaxConcurrency { get; set; }
}
