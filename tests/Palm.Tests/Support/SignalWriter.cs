namespace Palm.Tests.Support;

/// <summary>A writer for a program's output that completes <see cref="Seen"/> with the first line that starts with the prefix (e.g. "palm: gateway up at ").</summary>
public sealed class SignalWriter(string prefix) : StringWriter
{
    public TaskCompletionSource<string> Seen { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override void WriteLine(string? value)
    {
        base.WriteLine(value);
        if (value?.StartsWith(prefix, StringComparison.Ordinal) == true) Seen.TrySetResult(value);
    }
}
