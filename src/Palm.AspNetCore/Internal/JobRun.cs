using Microsoft.AspNetCore.Http;
using Palm.Client;
using Palm.Messages;

namespace Palm.AspNetCore.Internal;

/// <summary>
/// One streamed job (<c>POST jobs/{route}</c>), in three parts that never wait on each other in a circle:
/// the job pulls inputs out of the request body as its window allows; a consumer takes every result as it comes and
/// writes it to a <see cref="ResultSpool"/>, which never waits; the response is written from the spool at the client's pace.
/// A client that uploads everything before reading (curl, Python requests, a buffered HttpClient) thus never stalls its own
/// job: results it does not read yet go to the spool (memory, then a temporary file), and the request body keeps flowing.
/// The client leaving cancels the job.
/// </summary>
internal sealed class JobRun(PalmGateway gateway, HttpContext context, string route)
{
    private readonly HttpRequest _request = context.Request;
    private readonly HttpResponse _response = context.Response;
    private Problem? _failure;

    public async Task RunAsync()
    {
        var client = await gateway.ClientAsync();
        string[] steps;
        try
        {
            steps = PalmGateway.Steps(route);
        }
        catch (PalmRouteException e)
        {
            await Problem.Of(e)!.WriteAsync(context);
            return;
        }
        var first = Step.Parse(steps[0]);
        if (JobFormat.For(_request.ContentType) is not { } format)
        {
            await new Problem(415, "Unsupported media type", "UnsupportedMediaType",
                $"A job's body is {JobFormat.FramesType} (length-prefixed) or {JobFormat.NdjsonType} (base64 payloads), not '{_request.ContentType}'.",
                first.Server, first.Function).WriteAsync(context);
            return;
        }
        long? total = null;
        if (_request.Query["total"].FirstOrDefault() is { } text)
        {
            if (!long.TryParse(text, out var n) || n < 0)
            {
                await new Problem(400, "Bad query", "BadQuery", $"total '{text}' is not a number of inputs.", first.Server, first.Function).WriteAsync(context);
                return;
            }
            total = n;
        }
        PalmGateway.Unlimited(context);

        using var job = gateway.Jobs.Start("stream", route, total, context.Connection.RemoteIpAddress?.ToString());
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        var inputs = format.ReadInputs(_request.BodyReader, client.Settings.MaxPayloadBytes, first, job, stop.Token);
        IAsyncEnumerable<JobResult> results;
        try
        {
            results = client.RunJob(steps, inputs, gateway.JobOptions(job, _request), stop.Token);
        }
        catch (PalmRouteException e)
        {
            await Problem.Of(e)!.WriteAsync(context);
            return;
        }
        using var spool = new ResultSpool(gateway.Options.SpoolMemoryBytes, gateway.SpoolDirectory, gateway.Jobs.ReportSpoolMemory);
        job.Spool = spool;
        var consumer = Task.Run(() => ConsumeAsync(results, format, spool, job, stop.Token));
        try
        {
            await WriteResponseAsync(format, spool, consumer, stop.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException && context.RequestAborted.IsCancellationRequested)
        {
            // The client left: the job is cancelled below.
        }
        finally
        {
            await stop.CancelAsync();
            await consumer;
        }
    }

    /// <summary>Takes every result as it comes into the spool, then the end; a failure is kept for the response to tell.</summary>
    private async Task ConsumeAsync(IAsyncEnumerable<JobResult> results, JobFormat format, ResultSpool spool, GatewayJob job, CancellationToken cancellationToken)
    {
        long count = 0, errors = 0;
        try
        {
            await foreach (var r in results.WithCancellation(cancellationToken))
            {
                count++;
                if (r.IsError) errors++;
                spool.Write(format.Result(r));
            }
            spool.Write(format.End(job.InputsRead, count, errors));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Cancelled by the client leaving (or the response failing): nothing more to tell.
        }
        catch (Exception e)
        {
            // A refused input, a failed job, or a request body that broke off.
            _failure = Problem.Of(e) ?? new Problem(400, "Bad request body", "BadRequestBody", $"{e.GetType().Name}: {e.Message}", null, null);
        }
        finally
        {
            spool.Complete();
        }
    }

    /// <summary>The response: nothing until the first bytes (so a job refused at once is a plain problem status), then the spool as it fills.</summary>
    private async Task WriteResponseAsync(JobFormat format, ResultSpool spool, Task consumer, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        var started = false;
        while (true)
        {
            var read = await spool.ReadAsync(buffer, cancellationToken);
            if (read == 0) break;
            if (!started)
            {
                _response.StatusCode = StatusCodes.Status200OK;
                _response.ContentType = format.ContentType;
                started = true;
            }
            // Each write reaches the client; when the client does not read, it waits here while the spool takes the results.
            await _response.Body.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }
        await consumer;
        if (_failure is not { } failure) return;
        if (!started) await failure.WriteAsync(context);
        else await _response.Body.WriteAsync(format.Failed(failure), cancellationToken);
    }
}
