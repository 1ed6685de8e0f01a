namespace Palm.Tool;

/// <summary>
/// Flushes a buffered output a quarter second after it was last written to, so a job's results reach its file while the job
/// runs (and waits), not only at its end; writes and flushes take turns through <see cref="WritingAsync"/>.
/// </summary>
internal sealed class OutputFlusher : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);
    private readonly Stream _output;
    private readonly SemaphoreSlim _turn = new(1, 1);
    private readonly Timer _timer;
    private bool _dirty;

    public OutputFlusher(Stream output)
    {
        _output = output;
        _timer = new Timer(_ => Flush(), null, Interval, Interval);
    }

    /// <summary>Takes the output for a write (dispose the result to give it back); the write is flushed within <see cref="Interval"/>.</summary>
    public async Task<IDisposable> WritingAsync(CancellationToken cancellationToken)
    {
        await _turn.WaitAsync(cancellationToken).ConfigureAwait(false);
        _dirty = true;
        return new Turn(_turn);
    }

    private void Flush()
    {
        if (!_turn.Wait(0)) return; // a write holds it: the next tick flushes
        try
        {
            if (!_dirty) return;
            _dirty = false;
            _output.Flush();
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The write that follows, or the final flush, reports a broken output; a tick has no one to tell.
        }
        finally
        {
            _turn.Release();
        }
    }

    public void Dispose()
    {
        _timer.Dispose();
        _turn.Dispose();
    }

    private sealed class Turn(SemaphoreSlim turn) : IDisposable
    {
        public void Dispose() => turn.Release();
    }
}
