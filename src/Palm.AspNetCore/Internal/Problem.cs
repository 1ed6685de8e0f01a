using Microsoft.AspNetCore.Http;
using Palm.Messages;

namespace Palm.AspNetCore.Internal;

/// <summary>
/// A failure as the gateway answers it: an HTTP status and an RFC 7807 problem naming server, function, kind and cause.
/// The one mapping from Palm's exceptions and error results to statuses (docs/gateway.md, "Errors").
/// </summary>
internal sealed record Problem(int Status, string Title, string Kind, string Detail, string? Server, string? Function, int? Stage = null, string? ExceptionType = null)
{
    /// <summary>The problem of a failure of a request or job; null for a failure that is none of these (a bug: it propagates).</summary>
    public static Problem? Of(Exception failure) => failure switch
    {
        PalmRouteException { Kind: PalmRouteErrorKind.UnknownServer } e => new(404, "Unknown server", e.Kind.ToString(), e.Message, e.Server, e.Function),
        PalmRouteException { Kind: PalmRouteErrorKind.UnknownFunction } e => new(404, "Unknown function", e.Kind.ToString(), e.Message, e.Server, e.Function),
        PalmRouteException e => new(400, "Malformed route", e.Kind.ToString(), e.Message, e.Server, e.Function),
        PalmFunctionException e => Of(e.Error),
        PalmJobFailedException e => new(503, "Job failed", "JobFailed", e.Message, e.Server, e.Function),
        GatewayInputException e => e.Problem,
        _ => null,
    };

    /// <summary>The problem of an error result: a function that threw is the upstream's failure (502), a bad step the caller's.</summary>
    public static Problem Of(PalmError error)
    {
        var (status, title) = error.Kind switch
        {
            PalmErrorKind.UnknownServer => (404, "Unknown server"),
            PalmErrorKind.UnknownFunction => (404, "Unknown function"),
            PalmErrorKind.BadRoute or PalmErrorKind.NullPayload => (400, "Bad request"),
            // Past the limit on the way in, the caller's payload is too large; a function's output past it is the server's failure.
            PalmErrorKind.PayloadTooLarge when error.Stage < 0 => (413, "Payload too large"),
            PalmErrorKind.FunctionFailed => (502, "Function failed"),
            _ => (502, "Server error"),
        };
        return new Problem(status, title, error.Kind.ToString(), error.Message, error.Server, error.Function, error.Stage, error.ExceptionType);
    }

    /// <summary>The problem as JSON fields: RFC 7807's (type, title, status, detail) and Palm's (kind, server, function, stage, exceptionType).</summary>
    public Dictionary<string, object?> ToJson()
    {
        var json = new Dictionary<string, object?>
        {
            ["type"] = "https://github.com/palm-net/palm/blob/main/docs/gateway.md#errors",
            ["title"] = Title,
            ["status"] = Status,
            ["detail"] = Detail,
            ["kind"] = Kind,
            ["server"] = Server,
            ["function"] = Function,
        };
        if (Stage is { } stage) json["stage"] = stage;
        if (ExceptionType is not null) json["exceptionType"] = ExceptionType;
        return json;
    }

    /// <summary>Answers the request with the problem (application/problem+json).</summary>
    public Task WriteAsync(HttpContext context)
    {
        context.Response.StatusCode = Status;
        return context.Response.WriteAsJsonAsync(ToJson(), GatewayJson.Options, "application/problem+json", context.RequestAborted);
    }
}

/// <summary>A request body the gateway refuses: a payload past <c>palm.max-payload-bytes</c> (413) or broken framing (400).</summary>
internal sealed class GatewayInputException(Problem problem) : Exception(problem.Detail)
{
    public Problem Problem { get; } = problem;

    /// <summary>Input <paramref name="what"/> is past the limit: PayloadLimit's wording, naming the route's first step.</summary>
    public static GatewayInputException TooLarge(long bytes, int max, string what, Step first)
    {
        var error = PayloadLimit.TooLarge(bytes, max, what, first.Server, first.Function, -1);
        return new(new Problem(413, "Payload too large", error.Kind.ToString(), error.Message, first.Server, first.Function, -1));
    }

    /// <summary>The request body does not follow its framing.</summary>
    public static GatewayInputException BadFrame(string detail, Step first) =>
        new(new Problem(400, "Bad framing", "BadFrame", detail, first.Server, first.Function));
}
