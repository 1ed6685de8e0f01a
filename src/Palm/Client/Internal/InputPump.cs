using Palm.Configuration;
using Palm.Discovery;
using Palm.Messages;
using Palm.Messages.Internal;

namespace Palm.Client.Internal;

/// <summary>
/// Feeds a job's inputs to the first server of its route: one window slot per input, inputs batched
/// while the source produces them faster than the window fills, and a partial batch sent as soon as
/// the source or the window makes the pump wait.
/// </summary>
internal sealed class InputPump(JobState job, DirectoryView directory, PalmSettings settings, SemaphoreSlim slots, Transport.DataLanes lanes)
{
    private long _sent;

    public async Task RunAsync(IAsyncEnumerable<byte[]?> payloads, CancellationToken cancellationToken)
    {
        try
        {
            var first = job.Header.Route[0];
            directory.Current.TryGet(first.Server, out var entry);
            // Nothing is added while the first server is unknown (every input becomes an error), so entry is set when it sends.
            var batch = new EnvelopeBatch<PipelineMessage>(settings.BatchMaxMessages, settings.BatchMaxBytes, (messages, bytes) =>
            {
                lanes.Tell(entry!.Server, new Deliver(messages), job.Header.Client, bytes);
                // From now on the cluster owes their results (ids in the batch are the highest assigned).
                job.MarkIssued(_sent);
            });
            await using var source = payloads.GetAsyncEnumerator(cancellationToken);
            while (true)
            {
                if (!slots.Wait(0))
                {
                    batch.Flush();
                    await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
                }
                var next = source.MoveNextAsync();
                if (!next.IsCompleted) batch.Flush();
                if (!await next.ConfigureAwait(false)) break;

                var input = _sent++;
                var payload = source.Current;
                var error = payload is null
                    ? new PalmError(PalmErrorKind.NullPayload, "client", first.Function, -1, null, $"Input {input} is null; send an empty array for an empty payload.")
                    : !PayloadLimit.Fits(payload.Length, settings.MaxPayloadBytes)
                        ? PayloadLimit.TooLarge(payload.Length, settings.MaxPayloadBytes, $"Input {input}", "client", first.Function, -1)
                        : entry is null
                            ? new PalmError(PalmErrorKind.UnknownServer, first.Server, first.Function, 0, null, $"Server '{first.Server}' is not in the cluster.")
                            : null;
                if (error is not null)
                {
                    // Through the client actor like every result, so the input is counted complete there.
                    var client = job.Header.Client;
                    client.Tell(new ResultBatch(job.Header.JobId, [new ResultItem(input, Weights.Whole, ResultKind.Error, default, error)]), client);
                    if (batch.Count == 0) job.MarkIssued(_sent);
                    continue;
                }
                batch.Add(new PipelineMessage(job.Header, 0, input, Weights.Whole, payload), payload!.Length);
            }
            batch.Flush();
            job.Events.Writer.TryWrite(JobEvent.SourceDone(_sent));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            // The user's source threw: the job fails with that exception, after what was already sent.
            job.Fail(e);
        }
    }
}
