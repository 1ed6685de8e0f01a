namespace Palm.Messages;

/// <summary>One step of a route: the function <see cref="Function"/> of the server <see cref="Server"/>.</summary>
/// <param name="Server">The server's name, as given when it was started.</param>
/// <param name="Function">The function's name, as exposed with <see cref="Servers.PalmFunctionAttribute"/>.</param>
public readonly record struct Step(string Server, string Function)
{
    /// <summary>Parses <c>server.function</c>; the first dot separates the two parts.</summary>
    /// <exception cref="PalmRouteException">The text is not of the form <c>server.function</c>.</exception>
    public static Step Parse(string text)
    {
        if (text is null)
            throw new PalmRouteException("A route step is null; each step must read 'server.function'.");
        var dot = text.IndexOf('.');
        if (dot <= 0 || dot == text.Length - 1 || text.AsSpan().Trim().Length != text.Length)
            throw new PalmRouteException($"Route step '{text}' is not of the form 'server.function'.");
        return new Step(text[..dot], text[(dot + 1)..]);
    }

    /// <summary>Parses every step of a route.</summary>
    /// <exception cref="PalmRouteException">The route is null, empty, or has a malformed step.</exception>
    public static Step[] ParseRoute(IEnumerable<string> route)
    {
        if (route is null)
            throw new PalmRouteException("The route is null; give at least one 'server.function' step.");
        var steps = route.Select(Parse).ToArray();
        if (steps.Length == 0)
            throw new PalmRouteException("The route is empty; give at least one 'server.function' step.");
        return steps;
    }

    /// <inheritdoc />
    public override string ToString() => $"{Server}.{Function}";
}
