using Palm.Servers;

namespace Palm.Dispatch;

/// <summary>One callable function of a server type, compiled once into a delegate.</summary>
internal sealed class ServerFunction(string name, bool wantsContext, Func<object, ReadOnlyMemory<byte>, MessageContext?, ValueTask<object?>> call)
{
    public string Name { get; } = name;

    /// <summary>Whether the method takes a <see cref="MessageContext"/> (one is built only then).</summary>
    public bool WantsContext { get; } = wantsContext;

    /// <summary>Calls the function; the raw result becomes payloads through <see cref="StepOutcome.From"/>.</summary>
    public ValueTask<object?> Call(object server, ReadOnlyMemory<byte> payload, MessageContext? context) => call(server, payload, context);
}
