using Palm.Servers;

namespace Palm.Dispatch;

/// <summary>One callable function of a server type, compiled once into a delegate.</summary>
internal sealed class ServerFunction(string name, bool wantsContext, Func<object, ReadOnlyMemory<byte>, MessageContext?, ValueTask<object?>> call,
    bool isAsync = false, int maxConcurrency = 0, bool isGenerator = false)
{
    /// <summary>
    /// A generator of a <see cref="SourceServer"/>: its call returns the sequence itself (an <c>IEnumerable</c> or
    /// <c>IAsyncEnumerable</c> of payloads), pulled under credit, never all at once.
    /// </summary>
    public bool IsGenerator { get; } = isGenerator;

    /// <summary>The function's name in routes.</summary>
    public string Name { get; } = name;

    /// <summary>Whether the method takes a <see cref="MessageContext"/> (one is built only then).</summary>
    public bool WantsContext { get; } = wantsContext;

    /// <summary>Whether the method returns a Task or ValueTask: only those may have several calls running at once.</summary>
    public bool IsAsync { get; } = isAsync;

    /// <summary>How many calls may run at once per server instance, as the attribute says; 0: <c>palm.server.max-concurrency</c>.</summary>
    public int MaxConcurrency { get; } = maxConcurrency;

    /// <summary>Calls the function; the raw result becomes payloads through <see cref="StepOutcome.From"/>.</summary>
    public ValueTask<object?> Call(object server, ReadOnlyMemory<byte> payload, MessageContext? context) => call(server, payload, context);
}
