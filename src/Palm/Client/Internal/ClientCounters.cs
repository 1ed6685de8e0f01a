namespace Palm.Client.Internal;

/// <summary>
/// What a client did and ignored, for metrics (<see cref="ClientMetrics"/>), tests and diagnostics. Jobs are counted
/// when they start and end, never per input: the inputs of running jobs are read from their <see cref="JobState"/>
/// when someone asks, and added to the totals when the job ends.
/// </summary>
internal sealed class ClientCounters
{
    private readonly Lock _jobsGate = new();
    private readonly HashSet<JobState> _running = [];
    private long _duplicates;
    private long _untrusted;
    private long _started, _completed, _failed, _cancelled;
    private long _endedIssued, _endedInputsCompleted;

    /// <summary>Result items ignored because their input was already complete (or got more weight than it had left).</summary>
    public long Duplicates => Interlocked.Read(ref _duplicates);

    /// <summary>Result batches dropped because their sender is not a node of the cluster the client knows.</summary>
    public long Untrusted => Interlocked.Read(ref _untrusted);

    public void AddDuplicates(long n) => Interlocked.Add(ref _duplicates, n);

    public void AddUntrusted() => Interlocked.Increment(ref _untrusted);

    /// <summary>Jobs (evals included) started, and those that ended each way.</summary>
    public (long Started, long Completed, long Failed, long Cancelled, int Running) Jobs
    {
        get
        {
            lock (_jobsGate) return (_started, _completed, _failed, _cancelled, _running.Count);
        }
    }

    /// <summary>Inputs of every job so far that the cluster was given (or that were answered locally).</summary>
    public long InputsIssued
    {
        get
        {
            lock (_jobsGate) return _endedIssued + _running.Sum(j => j.Issued);
        }
    }

    /// <summary>Inputs of every job so far counted complete.</summary>
    public long InputsCompleted
    {
        get
        {
            // Completed is written by the client actor alone; a read from here may be a moment old, never torn (64-bit).
            lock (_jobsGate) return _endedInputsCompleted + _running.Sum(j => j.Completed);
        }
    }

    public void JobStarted(JobState job)
    {
        lock (_jobsGate)
        {
            if (_running.Add(job)) _started++;
        }
    }

    /// <summary>Called by the job driver when a job ends, whichever way; its inputs move to the totals in one step, so no reading counts them twice or not at all.</summary>
    public void JobEnded(JobState job, JobOutcome outcome)
    {
        lock (_jobsGate)
        {
            if (!_running.Remove(job)) return;
            _endedIssued += job.Issued;
            _endedInputsCompleted += job.Completed;
            switch (outcome)
            {
                case JobOutcome.Completed: _completed++; break;
                case JobOutcome.Failed: _failed++; break;
                default: _cancelled++; break;
            }
        }
    }
}

/// <summary>How a job ended.</summary>
internal enum JobOutcome
{
    /// <summary>Every input complete (and every reduce flushed): the result stream ended by itself.</summary>
    Completed,
    /// <summary>The job threw: a server left, no progress, the source threw.</summary>
    Failed,
    /// <summary>Cancelled, or the consumer stopped reading before the end.</summary>
    Cancelled,
}
