namespace Palm.Messages;

/// <summary>Why a route was refused (<see cref="PalmRouteException.Kind"/>), so that callers such as an HTTP gateway can answer each differently.</summary>
public enum PalmRouteErrorKind
{
    /// <summary>The route is null or empty, or a step is not of the form <c>server.function</c>.</summary>
    Malformed,

    /// <summary>A step names a server the cluster does not have.</summary>
    UnknownServer,

    /// <summary>A step names a function its server does not have.</summary>
    UnknownFunction,
}

/// <summary>A route is malformed or names a server or function the cluster does not have.</summary>
/// <param name="message">What is wrong, naming the step and what exists.</param>
/// <param name="kind">Which of the three mistakes it is.</param>
/// <param name="server">The server the refused step names, when it has one.</param>
/// <param name="function">The function the refused step names, when it has one.</param>
public sealed class PalmRouteException(string message, PalmRouteErrorKind kind = PalmRouteErrorKind.Malformed, string? server = null, string? function = null)
    : ArgumentException(message)
{
    /// <summary>Which of the three mistakes it is.</summary>
    public PalmRouteErrorKind Kind { get; } = kind;

    /// <summary>The server the refused step names (null for a malformed route).</summary>
    public string? Server { get; } = server;

    /// <summary>The function the refused step names (null for a malformed route, or a cache of an unknown server).</summary>
    public string? Function { get; } = function;
}

/// <summary>An evaluation returned an error result instead of a payload.</summary>
public sealed class PalmFunctionException(PalmError error) : Exception(error.ToString())
{
    /// <summary>The error result that reached the client.</summary>
    public PalmError Error { get; } = error;
}

/// <summary>A job could not finish: a server on its route disappeared or fell silent, its inputs were lost, or the client lost its contact node.</summary>
/// <param name="message">What happened, with the job, the server and the inputs outstanding.</param>
/// <param name="server">The server the failure is pinned on; null when there is none (the client lost its contact node).</param>
/// <param name="function">The function of the route on <paramref name="server"/> (its first step there); null with it.</param>
public sealed class PalmJobFailedException(string message, string? server = null, string? function = null) : Exception(message)
{
    /// <summary>The server that left, fell silent, or was last given the lost inputs; null when the failure is none's (the client lost its contact node).</summary>
    public string? Server { get; } = server;

    /// <summary>The route's function on <see cref="Server"/> (its first step there); null when <see cref="Server"/> is.</summary>
    public string? Function { get; } = function;
}

/// <summary>A server class or server start request is invalid (bad signature, duplicate function, bad name).</summary>
public sealed class PalmConfigurationException(string message) : Exception(message);

/// <summary>
/// A node or client could not listen on a port it must listen on (Akka.Remote's or its data lane's): the port
/// is taken or the address is not this machine's. The message names the port and, where the OS says, what holds it.
/// </summary>
public sealed class PalmBindException(string message, string host, int port, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The address the node tried to bind.</summary>
    public string Host { get; } = host;

    /// <summary>The port the node tried to bind.</summary>
    public int Port { get; } = port;
}

/// <summary>
/// A node could not join its cluster, or a client could not reach its contact node. The message names the cause
/// (nothing listening, TLS on one side only, an untrusted certificate, a system or host name the node does not
/// answer to, no seed reachable) and the time it took to know.
/// </summary>
public sealed class PalmConnectException(string message, Exception? inner = null) : Exception(message, inner);
