using System.Threading.Channels;
using Palm.Messages;

namespace Palm.Client.Internal;

/// <summary>
/// What the job's reader receives, in order: results, per-input completions (an event may carry both:
/// the input's last result, then its completion), the end of the source, or a failure.
/// </summary>
internal readonly record struct JobEvent(JobResult? Result, long CompletedInput, long SourceTotal, Exception? Failure)
{
    public static JobEvent Of(JobResult result) => new(result, -1, -1, null);
    public static JobEvent InputDone(long input) => new(null, input, -1, null);
    public static JobEvent SourceDone(long total) => new(null, -1, total, null);
    public static JobEvent Failed(Exception e) => new(null, -1, -1, e);
}

/// <summary>
/// The client side of one running job. The client actor feeds it returning weight; an input is
/// complete when all of <see cref="Weights.Whole"/> has come back, whatever the fan-out on the way.
/// </summary>
internal sealed class JobState(JobHeader header, string[] watchedServers)
{
    private readonly Dictionary<long, UInt128> _returned = new();

    public JobHeader Header { get; } = header;

    /// <summary>The route's servers that existed when the job started: if one leaves, the job cannot finish.</summary>
    public string[] WatchedServers { get; } = watchedServers;

    public Channel<JobEvent> Events { get; } = Channel.CreateUnbounded<JobEvent>(new UnboundedChannelOptions { SingleReader = true });

    public bool Failed { get; private set; }

    /// <summary>Called on the client actor only.</summary>
    public void Accept(ResultBatch batch)
    {
        if (Failed) return;
        var items = batch.Items;
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            var result = item.Kind == ResultKind.Done ? null : new JobResult(item.InputId, item.Payload, item.Error);
            // The common case: one branch carried the input's whole weight (no fan-out on the way), and
            // nothing of that input came back before: the input is done, with no bookkeeping at all.
            if (item.Weight == Weights.Whole && (_returned.Count == 0 || !_returned.ContainsKey(item.InputId)))
            {
                Events.Writer.TryWrite(new JobEvent(result, item.InputId, -1, null));
                continue;
            }
            if (result is not null) Events.Writer.TryWrite(JobEvent.Of(result));
            _returned.TryGetValue(item.InputId, out var sum);
            if (item.Weight > Weights.Whole - sum)
            {
                Fail(new PalmJobFailedException($"Job {Header.JobId}: input {item.InputId} returned more completion weight than it was given; a message was duplicated."));
                return;
            }
            sum += item.Weight;
            if (sum == Weights.Whole)
            {
                _returned.Remove(item.InputId);
                Events.Writer.TryWrite(JobEvent.InputDone(item.InputId));
            }
            else
            {
                _returned[item.InputId] = sum;
            }
        }
    }

    public void Fail(Exception e)
    {
        if (Failed) return;
        Failed = true;
        Events.Writer.TryWrite(JobEvent.Failed(e));
    }
}
