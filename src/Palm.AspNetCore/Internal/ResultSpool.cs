using Microsoft.Win32.SafeHandles;

namespace Palm.AspNetCore.Internal;

/// <summary>
/// The bytes of a streamed job's response between the job and its client: the job writes and never waits; the response
/// reads at the client's pace. Up to <c>memoryBound</c> unread bytes stay in memory; past that, writes go to a temporary
/// file until the reader has caught up with it, so memory stays bounded however long a client uploads before it reads.
/// Order is kept: while spilling, memory holds only bytes older than the file's.
/// </summary>
internal sealed class ResultSpool : IDisposable
{
    private readonly object _gate = new();
    private readonly Queue<byte[]> _memory = new();
    private readonly long _memoryBound;
    private readonly string _directory;
    private readonly Action<long> _reportMemory;
    private int _headRead;
    private long _memoryBytes;
    private SafeFileHandle? _file;
    private long _fileWritten, _fileRead;
    private bool _spilling, _completed, _disposed;
    private TaskCompletionSource? _waiter;

    /// <param name="memoryBound">Unread bytes kept in memory at most.</param>
    /// <param name="directory">Where the spill file goes.</param>
    /// <param name="reportMemory">Told the bytes in memory after each write (the gateway's high-water mark).</param>
    public ResultSpool(long memoryBound, string directory, Action<long> reportMemory)
    {
        _memoryBound = memoryBound;
        _directory = directory;
        _reportMemory = reportMemory;
    }

    /// <summary>Unread bytes in memory now.</summary>
    public long MemoryBytes
    {
        get
        {
            lock (_gate) return _memoryBytes;
        }
    }

    /// <summary>Unread bytes in the spill file now.</summary>
    public long FileBytes
    {
        get
        {
            lock (_gate) return _fileWritten - _fileRead;
        }
    }

    /// <summary>Bytes written to the spill file in all (0: the client kept up).</summary>
    public long SpilledBytes { get; private set; }

    /// <summary>Appends <paramref name="chunk"/> (the spool keeps it: the caller must not reuse it). Never waits for the reader.</summary>
    public void Write(byte[] chunk)
    {
        TaskCompletionSource? wake;
        long inMemory;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_spilling && _memoryBytes + chunk.Length > _memoryBound) _spilling = true;
            if (_spilling)
            {
                _file ??= File.OpenHandle(Path.Combine(_directory, $"palm-spool-{Guid.NewGuid():N}.bin"), FileMode.CreateNew, FileAccess.ReadWrite,
                    FileShare.None, FileOptions.DeleteOnClose);
                RandomAccess.Write(_file, chunk, _fileWritten);
                _fileWritten += chunk.Length;
                SpilledBytes += chunk.Length;
            }
            else
            {
                _memory.Enqueue(chunk);
                _memoryBytes += chunk.Length;
            }
            inMemory = _memoryBytes;
            wake = _waiter;
            _waiter = null;
        }
        _reportMemory(inMemory);
        wake?.TrySetResult();
    }

    /// <summary>No more writes: the reader gets 0 once it has read everything.</summary>
    public void Complete()
    {
        TaskCompletionSource? wake;
        lock (_gate)
        {
            _completed = true;
            wake = _waiter;
            _waiter = null;
        }
        wake?.TrySetResult();
    }

    /// <summary>Whether bytes are ready to read without waiting.</summary>
    public bool HasData
    {
        get
        {
            lock (_gate) return _memoryBytes > 0 || _fileWritten > _fileRead;
        }
    }

    /// <summary>Reads the next bytes into <paramref name="buffer"/>, waiting for some; 0 once completed and drained.</summary>
    public async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task wait;
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                var read = ReadLocked(buffer.Span);
                if (read > 0 || _completed) return read;
                _waiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                wait = _waiter.Task;
            }
            await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private int ReadLocked(Span<byte> buffer)
    {
        var read = 0;
        while (read < buffer.Length && _memory.TryPeek(out var head))
        {
            var n = Math.Min(head.Length - _headRead, buffer.Length - read);
            head.AsSpan(_headRead, n).CopyTo(buffer[read..]);
            read += n;
            _headRead += n;
            _memoryBytes -= n;
            if (_headRead == head.Length)
            {
                _memory.Dequeue();
                _headRead = 0;
            }
        }
        if (read < buffer.Length && _fileWritten > _fileRead)
        {
            var n = RandomAccess.Read(_file!, buffer.Slice(read, (int)Math.Min(buffer.Length - read, _fileWritten - _fileRead)), _fileRead);
            read += n;
            _fileRead += n;
        }
        if (_spilling && _memoryBytes == 0 && _fileRead == _fileWritten)
        {
            // Caught up: later writes go to memory again, and the file is written from its start.
            _spilling = false;
            _fileRead = _fileWritten = 0;
        }
        return read;
    }

    /// <summary>Deletes the spill file (if any) and releases a waiting reader.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            _memory.Clear();
            _file?.Dispose();
            _waiter?.TrySetCanceled();
        }
    }
}
