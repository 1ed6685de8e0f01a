using Palm.Messages;

namespace Palm.Dispatch;

/// <summary>What one function call produced: zero, one or several payloads, or an error.</summary>
internal readonly struct StepOutcome(int count, ReadOnlyMemory<byte> single, IReadOnlyList<ReadOnlyMemory<byte>>? many, PalmError? error)
{
    public int Count => count;
    public PalmError? Error => error;

    public ReadOnlyMemory<byte> this[int index] => many is null ? single : many[index];

    public static StepOutcome None => default;

    public static StepOutcome Failed(PalmError error) => new(0, default, null, error);

    /// <summary>One output.</summary>
    public static StepOutcome One(ReadOnlyMemory<byte> output) => new(1, output, null, null);

    public static StepOutcome Of(IReadOnlyList<ReadOnlyMemory<byte>> outputs) => outputs.Count switch
    {
        0 => None,
        1 => new StepOutcome(1, outputs[0], null, null),
        _ => new StepOutcome(outputs.Count, default, outputs, null),
    };

    /// <summary>Reads a function's raw return value; enumerating a lazy sequence happens here, inside the caller's try.</summary>
    public static StepOutcome From(object? raw) => raw switch
    {
        null => None,
        byte[] bytes => new StepOutcome(1, bytes, null, null),
        ReadOnlyMemory<byte> memory => new StepOutcome(1, memory, null, null),
        Memory<byte> memory => new StepOutcome(1, memory, null, null),
        IEnumerable<byte[]> many => Of(many.Where(b => b is not null).Select(b => (ReadOnlyMemory<byte>)b).ToList()),
        IEnumerable<ReadOnlyMemory<byte>> many => Of(many as IReadOnlyList<ReadOnlyMemory<byte>> ?? many.ToList()),
        _ => throw new InvalidOperationException($"A Palm function returned {raw.GetType()}, which is not a payload."),
    };

    /// <summary>The outputs as a list, for shipping from a worker to its leader.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> ToList() => many ?? (count == 0 ? [] : [single]);
}
