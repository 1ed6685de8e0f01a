using Palm.Dispatch;
using Palm.Messages;

namespace Palm.Templates.Source.Internal;

/// <summary>One running generator of a <see cref="Servers.SourceServer"/>: the sequence its function returned for one seed, as payloads.</summary>
internal sealed class Generator(string function, PipelineMessage seed, IEnumerator<ReadOnlyMemory<byte>>? sync,
    IAsyncEnumerator<ReadOnlyMemory<byte>>? async) : IDisposable
{
    /// <summary>The generator's function name (errors name it).</summary>
    public string Function { get; } = function;

    /// <summary>The input that started it.</summary>
    public PipelineMessage Seed { get; } = seed;

    public IEnumerator<ReadOnlyMemory<byte>>? Sync { get; } = sync;

    public IAsyncEnumerator<ReadOnlyMemory<byte>>? Async { get; } = async;

    /// <summary>An asynchronous step is under way; its result comes back to the actor.</summary>
    public bool Waiting { get; set; }

    /// <summary>Opens the sequence a generator function returned (user code: its <c>GetEnumerator</c> may throw too).</summary>
    public static bool TryOpen(string function, PipelineMessage seed, object sequence, UserCall calls, out Generator generator, out PalmError error)
    {
        var opened = calls.TryRun(function, seed, sequence, static s => s switch
        {
            IEnumerable<ReadOnlyMemory<byte>> memories => (object)memories.GetEnumerator(),
            IEnumerable<byte[]> arrays => arrays.Where(a => a is not null).Select(a => (ReadOnlyMemory<byte>)a).GetEnumerator(),
            IAsyncEnumerable<ReadOnlyMemory<byte>> memories => memories.GetAsyncEnumerator(),
            IAsyncEnumerable<byte[]> arrays => Arrays(arrays).GetAsyncEnumerator(),
            _ => throw new InvalidOperationException($"A generator returned {s.GetType()}, which is not a sequence of payloads."),
        }, out var enumerator, out error);
        generator = opened ? new Generator(function, seed, enumerator as IEnumerator<ReadOnlyMemory<byte>>, enumerator as IAsyncEnumerator<ReadOnlyMemory<byte>>) : null!;
        return opened;
    }

    private static async IAsyncEnumerable<ReadOnlyMemory<byte>> Arrays(IAsyncEnumerable<byte[]> arrays)
    {
        await foreach (var a in arrays.ConfigureAwait(false))
            if (a is not null) yield return a;
    }

    public void Dispose()
    {
        try
        {
            Sync?.Dispose();
            // An asynchronous sequence still stepping is left to finish; one at rest is disposed.
            if (Async is not null && !Waiting) _ = Async.DisposeAsync();
        }
        catch (Exception)
        {
            // A user's Dispose that throws changes nothing for the job: the generator is over either way.
        }
    }
}
