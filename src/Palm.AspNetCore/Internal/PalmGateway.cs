using System.Buffers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Palm.Client;
using Palm.Hosting;
using Palm.Messages;

namespace Palm.AspNetCore.Internal;

/// <summary>The endpoints of <c>MapPalm</c> over one Palm client: eval, streamed jobs (<see cref="JobRun"/>), status and the job table.</summary>
internal sealed class PalmGateway
{
    private readonly PalmClientService _client;

    public PalmGateway(PalmClientService client, PalmGatewayOptions options)
    {
        _client = client;
        Options = options;
        ArgumentOutOfRangeException.ThrowIfLessThan(options.SpoolMemoryBytes, 1, nameof(PalmGatewayOptions.SpoolMemoryBytes));
        SpoolDirectory = options.SpoolDirectory ?? Path.GetTempPath();
    }

    public PalmGatewayOptions Options { get; }

    public string SpoolDirectory { get; }

    public GatewayJobs Jobs { get; } = new();

    /// <summary>The client, once the host has connected it.</summary>
    public Task<PalmClient> ClientAsync() => _client.Connected;

    /// <summary>The steps of a route as the URL gives it: separated by commas. A malformed one throws <see cref="PalmRouteException"/>.</summary>
    public static string[] Steps(string route)
    {
        var steps = route.Split(',');
        Step.ParseRoute(steps);
        return steps;
    }

    /// <summary>The options of a job through the gateway: its progress goes to the job table.</summary>
    public JobOptions JobOptions(GatewayJob job, HttpRequest request) => new()
    {
        Progress = job,
        ProgressInterval = TimeSpan.FromMilliseconds(200),
        ProgressTimeout = Options.ProgressTimeout,
        Session = request.Query["session"].FirstOrDefault(),
        CacheKey = request.Query["cacheKey"].FirstOrDefault(),
    };

    /// <summary><c>POST eval/{route}</c>: the body is the payload; the result is the response body (204 when the route emitted nothing).</summary>
    public async Task EvalAsync(HttpContext context, string route)
    {
        var client = await ClientAsync();
        string[] steps;
        try
        {
            steps = Steps(route);
        }
        catch (PalmRouteException e)
        {
            await Problem.Of(e)!.WriteAsync(context);
            return;
        }
        var first = Step.Parse(steps[0]);
        Unlimited(context);
        var max = client.Settings.MaxPayloadBytes;
        if (context.Request.ContentLength is { } length && length > max)
        {
            // Decided from the header alone: not one byte of the body is read.
            await GatewayInputException.TooLarge(length, max, "The payload", first).Problem.WriteAsync(context);
            return;
        }
        using var job = Jobs.Start("eval", route, 1, context.Connection.RemoteIpAddress?.ToString());
        try
        {
            var payload = await ReadPayloadAsync(context.Request, max, first, context.RequestAborted);
            job.InputRead();
            var result = await client.EvalAsync(steps, payload, JobOptions(job, context.Request), context.RequestAborted);
            if (result is null)
            {
                context.Response.StatusCode = StatusCodes.Status204NoContent;
                return;
            }
            context.Response.ContentType = "application/octet-stream";
            context.Response.ContentLength = result.Length;
            await context.Response.Body.WriteAsync(result, context.RequestAborted);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client left: its job was cancelled with the request, and there is no one to answer.
        }
        catch (Exception e) when (Problem.Of(e) is { } problem)
        {
            await problem.WriteAsync(context);
        }
    }

    /// <summary>The whole body, refused (413) as soon as more than <paramref name="max"/> bytes have come.</summary>
    private static async Task<byte[]> ReadPayloadAsync(HttpRequest request, int max, Step first, CancellationToken cancellationToken)
    {
        var body = new ArrayBufferWriter<byte>(request.ContentLength is { } length ? (int)Math.Max(1, length) : 4096);
        while (true)
        {
            var read = await request.Body.ReadAsync(body.GetMemory(Math.Min(64 * 1024, max + 1 - body.WrittenCount)), cancellationToken);
            if (read == 0) return body.WrittenSpan.ToArray();
            body.Advance(read);
            if (body.WrittenCount > max)
                throw GatewayInputException.TooLarge(body.WrittenCount, max, "The payload (read so far)", first);
        }
    }

    /// <summary>Kestrel's own body limit (30 MB) is lifted: the gateway applies <c>palm.max-payload-bytes</c> per payload itself.</summary>
    public static void Unlimited(HttpContext context)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = null;
    }

    /// <summary><c>POST jobs/{route}</c>: a streamed job.</summary>
    public Task RunJobAsync(HttpContext context, string route) => new JobRun(this, context, route).RunAsync();

    /// <summary><c>GET jobs</c>: the jobs running through this gateway, oldest first.</summary>
    public Task JobsAsync(HttpContext context) =>
        context.Response.WriteAsJsonAsync(Jobs.Snapshot(), GatewayJson.Options, context.RequestAborted);

    /// <summary><c>GET status</c>: <see cref="PalmClient.GetStatusAsync(CancellationToken)"/> as JSON, silent nodes and servers included.</summary>
    public async Task StatusAsync(HttpContext context)
    {
        var client = await ClientAsync();
        var status = await client.GetStatusAsync(context.RequestAborted);
        context.Response.Headers.CacheControl = "no-store";
        await context.Response.WriteAsJsonAsync(status, GatewayJson.Options, context.RequestAborted);
    }
}
