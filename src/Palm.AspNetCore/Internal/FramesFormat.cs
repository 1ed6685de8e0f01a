using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Palm.Client;
using Palm.Messages;

namespace Palm.AspNetCore.Internal;

/// <summary>
/// <c>application/x-palm-frames</c>. An input: a 4-byte little-endian length, then that many bytes. A response frame: a
/// 4-byte little-endian body length, an 8-byte little-endian input index, a 1-byte type (0 result, 1 error result, 2 job
/// failed, 3 end), then the body: the payload; the error as UTF-8 JSON; the problem as UTF-8 JSON; the counts as UTF-8 JSON.
/// </summary>
internal sealed class FramesFormat : JobFormat
{
    public const byte ResultType = 0, ErrorType = 1, FailedType = 2, EndType = 3;
    private const int HeaderBytes = 13;

    public static readonly FramesFormat Instance = new();

    public override string ContentType => FramesType;

    public override async IAsyncEnumerable<byte[]?> ReadInputs(PipeReader body, int max, Step first, GatewayJob job,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var ready = new List<byte[]>();
        while (true)
        {
            var read = await body.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = read.Buffer;
            GatewayInputException? refused = null;
            // Every whole frame the buffer holds, then the pipe is told what was used before any is handed on.
            while (buffer.Length >= 4)
            {
                var length = Length(buffer);
                if (length > max)
                {
                    refused = GatewayInputException.TooLarge(length, max, $"Input {job.InputsRead + ready.Count}", first);
                    break;
                }
                if (buffer.Length < 4 + length) break;
                ready.Add(buffer.Slice(4, length).ToArray());
                buffer = buffer.Slice(4 + length);
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
            if (read.IsCompleted)
            {
                if (buffer.Length > 0)
                    throw GatewayInputException.BadFrame($"The request body ends inside input {job.InputsRead}'s frame ({buffer.Length} bytes left over).", first);
                yield break;
            }
        }
    }

    private static long Length(ReadOnlySequence<byte> buffer)
    {
        Span<byte> prefix = stackalloc byte[4];
        buffer.Slice(0, 4).CopyTo(prefix);
        return BinaryPrimitives.ReadUInt32LittleEndian(prefix);
    }

    public override byte[] Result(JobResult result) => result.Error is { } error
        ? Frame(result.InputIndex, ErrorType, JsonSerializer.SerializeToUtf8Bytes(ErrorJson(error), GatewayJson.Options))
        : Frame(result.InputIndex, ResultType, result.Payload.Span);

    public override byte[] End(long inputs, long results, long errors) =>
        Frame(-1, EndType, JsonSerializer.SerializeToUtf8Bytes(new { inputs, results, errors }, GatewayJson.Options));

    public override byte[] Failed(Problem problem) => Frame(-1, FailedType, JsonSerializer.SerializeToUtf8Bytes(problem.ToJson(), GatewayJson.Options));

    private static byte[] Frame(long input, byte type, ReadOnlySpan<byte> body)
    {
        var frame = new byte[HeaderBytes + body.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(frame, (uint)body.Length);
        BinaryPrimitives.WriteInt64LittleEndian(frame.AsSpan(4), input);
        frame[12] = type;
        body.CopyTo(frame.AsSpan(HeaderBytes));
        return frame;
    }
}
