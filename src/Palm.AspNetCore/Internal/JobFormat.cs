using System.IO.Pipelines;
using Palm.Client;
using Palm.Messages;

namespace Palm.AspNetCore.Internal;

/// <summary>
/// A framing of a streamed job (docs/gateway.md, "Framing"): how inputs are cut out of the request body and how results,
/// the end and a failure are written into the response. Both framings carry any bytes.
/// </summary>
internal abstract class JobFormat
{
    /// <summary>Length-prefixed frames: <c>application/x-palm-frames</c>.</summary>
    public const string FramesType = "application/x-palm-frames";

    /// <summary>One JSON object a line, payloads in base64: <c>application/x-ndjson</c>.</summary>
    public const string NdjsonType = "application/x-ndjson";

    /// <summary>The media type of both the request body and the response.</summary>
    public abstract string ContentType { get; }

    /// <summary>The framing of a request's <c>Content-Type</c>; null when it is neither.</summary>
    public static JobFormat? For(string? contentType)
    {
        var media = contentType?.Split(';')[0].Trim();
        return string.Equals(media, FramesType, StringComparison.OrdinalIgnoreCase) ? FramesFormat.Instance
            : string.Equals(media, NdjsonType, StringComparison.OrdinalIgnoreCase) ? NdjsonFormat.Instance
            : null;
    }

    /// <summary>
    /// The inputs of <paramref name="body"/>, read only as the job asks for them. An input past <paramref name="max"/> bytes
    /// throws <see cref="GatewayInputException"/> (413) as soon as its length is known, before its bytes are read; broken framing throws it (400).
    /// </summary>
    public abstract IAsyncEnumerable<byte[]?> ReadInputs(PipeReader body, int max, Step first, GatewayJob job, CancellationToken cancellationToken);

    /// <summary>One result as it goes into the response.</summary>
    public abstract byte[] Result(JobResult result);

    /// <summary>The last frame of a job that completed.</summary>
    public abstract byte[] End(long inputs, long results, long errors);

    /// <summary>The last frame of a job that failed after its response began.</summary>
    public abstract byte[] Failed(Problem problem);

    /// <summary>An error result's fields, as both framings write them.</summary>
    protected static Dictionary<string, object?> ErrorJson(PalmError error) => new()
    {
        ["kind"] = error.Kind.ToString(),
        ["server"] = error.Server,
        ["function"] = error.Function,
        ["stage"] = error.Stage,
        ["exceptionType"] = error.ExceptionType,
        ["message"] = error.Message,
    };
}
