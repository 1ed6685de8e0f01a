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
}
