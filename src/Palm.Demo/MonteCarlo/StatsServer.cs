using System.Buffers.Binary;
using Palm.Servers;

namespace Palm.Demo.MonteCarlo;

/// <summary>
/// The summary step, a reduce server: <c>stats.collect</c> passes each <see cref="BlockSummary"/> on, the fold keeps
/// them all (they arrive in any order), and the result combines them in block order (<see cref="MonteCarloPlan.Combine"/>),
/// so the job's mean and standard deviation have the same bits as a single-threaded run, whatever the workers did.
/// </summary>
/// <remarks>
/// Keeping the blocks rather than a running combination costs <see cref="BlockSummary.Size"/> bytes per block on the
/// leader: a million paths in blocks of 10,000 is 3.2 KB. A running combination would take no memory, but its bits would
/// depend on the order in which blocks finish.
/// </remarks>
public sealed class StatsServer : ReduceServer
{
    private const int Header = 4;

    /// <summary>The map: the block summary itself.</summary>
    [PalmFunction("collect")]
    public byte[] Collect(byte[] blockSummary) => blockSummary;

    /// <summary>The accumulator: how many summaries it holds (4 bytes), then the summaries, with room for more.</summary>
    protected override byte[] Initial() => new byte[Header + 16 * BlockSummary.Size];

    /// <inheritdoc />
    protected override byte[] Reduce(byte[] accumulator, ReadOnlyMemory<byte> partial)
    {
        // Read first: a partial that is not a summary throws before the accumulator changes.
        var summary = BlockSummary.Read(partial.Span);
        var count = BinaryPrimitives.ReadInt32LittleEndian(accumulator);
        var end = Header + (count + 1) * BlockSummary.Size;
        if (end > accumulator.Length) Array.Resize(ref accumulator, Math.Max(end, 2 * accumulator.Length));
        summary.Write(accumulator.AsSpan(end - BlockSummary.Size));
        BinaryPrimitives.WriteInt32LittleEndian(accumulator, count + 1);
        return accumulator;
    }

    /// <inheritdoc />
    protected override byte[] Result(string? key, byte[] accumulator)
    {
        var count = BinaryPrimitives.ReadInt32LittleEndian(accumulator);
        var blocks = new BlockSummary[count];
        for (var i = 0; i < count; i++) blocks[i] = BlockSummary.Read(accumulator.AsSpan(Header + i * BlockSummary.Size));
        return new RunSummary(count, MonteCarloPlan.Combine(blocks)).ToBytes();
    }
}

/// <summary>What the reduce emits: how many blocks it combined and the moments of all their final values.</summary>
/// <param name="Blocks">How many block summaries were combined.</param>
/// <param name="Moments">The moments of every path's final value.</param>
public readonly record struct RunSummary(long Blocks, Moments Moments)
{
    /// <summary>The summary as bytes: the block count (8 bytes) and the moments.</summary>
    public byte[] ToBytes() => new BlockSummary(Blocks, Moments).ToBytes();

    /// <summary>Reads a summary written by <see cref="ToBytes"/>.</summary>
    /// <exception cref="FormatException">The bytes are not a run summary.</exception>
    public static RunSummary Read(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != BlockSummary.Size) throw new FormatException($"A run summary takes {BlockSummary.Size} bytes, not {bytes.Length}.");
        var (blocks, moments) = BlockSummary.Read(bytes);
        return new RunSummary(blocks, moments);
    }
}
