using Akka.Event;
using Palm.Cache;

namespace Palm.Servers;

/// <summary>
/// Base of every server template. A server is a named unit of business logic whose functions, marked
/// with <see cref="PalmFunctionAttribute"/>, turn a payload into zero, one or several payloads. Every
/// server also answers <c>echo</c>, which returns its payload unchanged.
/// </summary>
public abstract class PalmServer
{
    private ServerServices? _services;

    private ServerServices Services => _services
        ?? throw new InvalidOperationException("The server is not started yet; its name, log and cache exist once Palm starts it.");

    /// <summary>The server's name, as routes name it.</summary>
    public string Name => Services.Name;

    /// <summary>A logger named after the server (<c>palm.server.NAME</c>).</summary>
    protected ILoggingAdapter Log => Services.Log;

    /// <summary>The server's cache: the same keys that clients and, for parallel servers, all workers see.</summary>
    protected IPalmCache Cache => Services.Cache;

    /// <summary>The server's counters: messages in and out, errors, time spent in functions.</summary>
    public ServerCounters Counters => Services.Counters;

    /// <summary>
    /// The stream hook (pylm's <c>handle_stream</c>): decides where each output of a function goes.
    /// The default sends it to the next step of its route; override to skip steps, go back, divert
    /// to other servers, finish early or drop it.
    /// </summary>
    /// <param name="message">The message whose function produced <paramref name="output"/>.</param>
    /// <param name="output">One payload the function returned.</param>
    protected virtual NextHop OnOutput(MessageContext message, ReadOnlyMemory<byte> output) => NextHop.Continue;

    /// <summary>Called once on the server's own thread before its first message, after name, log and cache are set.</summary>
    protected virtual void OnStarted()
    {
    }

    internal NextHop RouteOutput(MessageContext message, ReadOnlyMemory<byte> output) => OnOutput(message, output);

    internal void Started() => OnStarted();

    /// <summary>The template's name, as shown in status reports.</summary>
    internal abstract string TemplateName { get; }

    internal void Attach(ServerServices services) => _services = services;
}

/// <summary>What Palm gives a server instance once it starts.</summary>
internal sealed record ServerServices(string Name, ILoggingAdapter Log, IPalmCache Cache, ServerCounters Counters);
