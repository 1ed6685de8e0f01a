using System.Buffers.Binary;

namespace Palm.Messages;

/// <summary>
/// Messages a stage makes of its own for a job (a reduce's output, a generator's items, a sink's summary), with fresh weight
/// and a negative input id (<see cref="Id"/>): the one mechanism for every stage that emits on its own
/// (docs/internals.md#ownmessages).
/// </summary>
internal static class OwnMessages
{
    /// <summary>The input id of the <paramref name="n"/>th message the stage at <paramref name="stage"/> makes for a job: negative, never an input's.</summary>
    public static long Id(int stage, long n) => -1 - (((long)stage << 40) | n);

    /// <summary>The stage and number of an id made by <see cref="Id"/>.</summary>
    public static (int Stage, long N) Of(long id)
    {
        var x = -1 - id;
        return ((int)(x >> 40), x & ((1L << 40) - 1));
    }

    /// <summary>
    /// The report that returns <paramref name="weight"/> of message <paramref name="inputId"/> to the client and tells it the stage
    /// will make messages of its own for the job; <paramref name="wantsCredit"/>: the stage makes them only as the client allows
    /// (<see cref="SourceCredit"/>), a generator.
    /// </summary>
    public static ResultItem AbsorbedReport(long inputId, UInt128 weight, int stage, bool wantsCredit = false)
    {
        var payload = new byte[wantsCredit ? 5 : 4];
        BinaryPrimitives.WriteInt32LittleEndian(payload, stage);
        if (wantsCredit) payload[4] = 1;
        return new ResultItem(inputId, weight, ResultKind.Absorbed, payload, null);
    }

    /// <summary>Reads an <see cref="AbsorbedReport"/>; false if malformed.</summary>
    public static bool TryReadAbsorbed(ReadOnlySpan<byte> payload, out int stage, out bool wantsCredit)
    {
        stage = -1;
        wantsCredit = false;
        if (payload.Length is not (4 or 5) || (payload.Length == 5 && payload[4] != 1)) return false;
        stage = BinaryPrimitives.ReadInt32LittleEndian(payload);
        wantsCredit = payload.Length == 5;
        return stage >= 0;
    }

    /// <summary>The report that the stage at <paramref name="stage"/> made <paramref name="total"/> messages of its own for the job so far; <paramref name="final"/>: no more will come.</summary>
    public static ResultItem EmittedReport(int stage, long total, bool final)
    {
        var payload = new byte[9];
        BinaryPrimitives.WriteInt64LittleEndian(payload, total);
        payload[8] = final ? (byte)1 : (byte)0;
        return new ResultItem(stage, UInt128.Zero, ResultKind.Emitted, payload, null);
    }

    /// <summary>Reads an <see cref="EmittedReport"/>'s payload; false if malformed.</summary>
    public static bool TryReadEmitted(ReadOnlySpan<byte> payload, out long total, out bool final)
    {
        total = -1;
        final = false;
        if (payload.Length != 9 || payload[8] > 1) return false;
        total = BinaryPrimitives.ReadInt64LittleEndian(payload);
        final = payload[8] == 1;
        return total >= 0;
    }
}

/// <summary>
/// A client tells the stage at <see cref="Stage"/> that the rest of its job is complete: every message of the job that
/// reaches that step has been handled there. A reduce emits its fold, a sink its summary, a generator finishes; each
/// answers with a final <see cref="ResultKind.Emitted"/> report on the job's result stream (the same answer to a repeat).
/// </summary>
internal sealed record StageFlush(Guid JobId, int Stage) : IPalmControlMessage;

/// <summary>
/// A client lets the generators of the stage at <see cref="Stage"/> make messages of the job up to number <see cref="Allowed"/>
/// (exclusive): the messages complete so far plus the job's window. Absolute, so a repeat or a late one does no harm.
/// <see cref="Stop"/>: the job ended before its generators did (cancelled, failed); they are closed.
/// </summary>
internal sealed record SourceCredit(Guid JobId, int Stage, long Allowed) : IPalmControlMessage
{
    /// <summary>The credit that closes the job's generators.</summary>
    public const long Stop = -1;
}
