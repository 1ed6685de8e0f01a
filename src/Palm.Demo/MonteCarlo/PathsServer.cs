using Palm.Servers;

namespace Palm.Demo.MonteCarlo;

/// <summary>
/// The simulation step, a scatter-gather server: the leader cuts each block (an input) into its chunks, workers simulate
/// the chunks (<c>paths.simulate</c>, each a chunk's paths from the chunk's own seed) and answer their moments, and the
/// leader combines a block's chunk moments in chunk order into one <see cref="BlockSummary"/>, which goes on to the reduce.
/// </summary>
public sealed class PathsServer : ScatterGatherServer
{
    /// <summary>Simulates one chunk; answers the moments of its final values.</summary>
    [PalmFunction("simulate")]
    public byte[] Simulate(byte[] chunk) => Chunk.Parse(chunk).Simulate().ToBytes();

    /// <inheritdoc />
    protected override IEnumerable<byte[]> Scatter(ReadOnlyMemory<byte> message) =>
        Block.Parse(message.Span).Chunks().Select(c => c.ToBytes());

    /// <inheritdoc />
    protected override IEnumerable<byte[]>? Gather(ReadOnlyMemory<byte> message, IReadOnlyList<ReadOnlyMemory<byte>> results)
    {
        // The parts arrive in scatter order whichever worker answered first: the same combination as the reference's.
        var block = Block.Parse(message.Span);
        return [new BlockSummary(block.Index, Block.Combine(results.Select(r => Moments.Read(r.Span)))).ToBytes()];
    }
}
