using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Palm.Client;
using Palm.Messages;

namespace Palm.AspNetCore.Internal;

/// <summary>
/// <c>application/x-ndjson</c>: one JSON object a line. An input: <c>{"payload":"BASE64"}</c>, or <c>{"text":"..."}</c> for
/// UTF-8 text; blank lines are skipped. The response: <c>{"input":N,"payload":"BASE64"}</c>,
/// <c>{"input":N,"error":{...}}</c>, and last <c>{"end":true,"inputs":N,"results":R,"errors":E}</c> or <c>{"failed":{problem}}</c>.
/// </summary>
internal sealed class NdjsonFormat : JobFormat
{
    public static readonly NdjsonFormat Instance = new();

    public override string ContentType => NdjsonType;

    public override async IAsyncEnumerable<byte[]?> ReadInputs(PipeReader body, int max, Step first, GatewayJob job,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // A line may hold a payload of max bytes in base64 (4 per 3) and its JSON around it; a longer line is refused as
        // soon as that much has come without a newline, so the gateway never buffers more.
        var maxLine = (long)max / 3 * 4 + 8 + 256;
        var ready = new List<byte[]>();
        while (true)
        {
            var read = await body.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = read.Buffer;
            GatewayInputException? refused = null;
            try
            {
                while (buffer.PositionOf((byte)'\n') is { } newline)
                {
                    var line = buffer.Slice(0, newline);
                    if (Payload(line, first, job.InputsRead + ready.Count) is { } payload) ready.Add(payload);
                    buffer = buffer.Slice(buffer.GetPosition(1, newline));
                }
                if (buffer.Length > maxLine)
                    throw GatewayInputException.TooLarge(buffer.Length, max, $"Input {job.InputsRead + ready.Count}'s line (at least)", first);
                if (read.IsCompleted && buffer.Length > 0)
                {
                    if (Payload(buffer, first, job.InputsRead + ready.Count) is { } last) ready.Add(last);
                    buffer = buffer.Slice(buffer.End);
                }
            }
            catch (GatewayInputException e)
            {
                refused = e;
            }
            body.AdvanceTo(buffer.Start, buffer.End);
            // The inputs before a refused one go to the job first.
            foreach (var payload in ready)
            {
                job.InputRead();
                yield return payload;
            }
            ready.Clear();
            if (refused is not null) throw refused;
            if (read.IsCompleted) yield break;
        }
    }

    /// <summary>The payload of one line; null for a blank line.</summary>
    private static byte[]? Payload(ReadOnlySequence<byte> line, Step first, long input)
    {
        if (IsBlank(line)) return null;
        try
        {
            var reader = new Utf8JsonReader(line);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) throw new JsonException("not an object");
            byte[]? payload = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString();
                reader.Read();
                if (name == "payload") payload = reader.GetBytesFromBase64();
                else if (name == "text") payload = Encoding.UTF8.GetBytes(reader.GetString() ?? "");
                else reader.Skip();
            }
            return payload ?? throw new JsonException("it has neither \"payload\" (base64) nor \"text\"");
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            throw GatewayInputException.BadFrame($"Input {input}'s line is not {{\"payload\":\"BASE64\"}} nor {{\"text\":\"...\"}}: {e.Message}", first);
        }
    }

    private static bool IsBlank(ReadOnlySequence<byte> line)
    {
        foreach (var segment in line)
            foreach (var b in segment.Span)
                if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r'))
                    return false;
        return true;
    }

    public override byte[] Result(JobResult result) => Line(result.Error is { } error
        ? new Dictionary<string, object?> { ["input"] = result.InputIndex, ["error"] = ErrorJson(error) }
        : new Dictionary<string, object?> { ["input"] = result.InputIndex, ["payload"] = Convert.ToBase64String(result.Payload.Span) });

    public override byte[] End(long inputs, long results, long errors) =>
        Line(new Dictionary<string, object?> { ["end"] = true, ["inputs"] = inputs, ["results"] = results, ["errors"] = errors });

    public override byte[] Failed(Problem problem) => Line(new Dictionary<string, object?> { ["failed"] = problem.ToJson() });

    private static byte[] Line(Dictionary<string, object?> value)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(value, GatewayJson.Options);
        var line = new byte[json.Length + 1];
        json.CopyTo(line, 0);
        line[^1] = (byte)'\n';
        return line;
    }
}
