using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Palm.Demo.MonteCarlo;

/// <summary>
/// The paths: r(i+1) = r(i) + sigma * sqrt(dt) * eps(i), from r(0) = <paramref name="R0"/>, in <paramref name="Steps"/>
/// steps of dt = <paramref name="Horizon"/> / <paramref name="Steps"/>, eps standard normal. The final value is normal
/// with mean r(0) and standard deviation sigma * sqrt(horizon), which the demo prints beside the estimates.
/// </summary>
/// <param name="R0">The starting value (a rate, say 0.03).</param>
/// <param name="Sigma">The volatility per unit of time.</param>
/// <param name="Horizon">The time to the final value.</param>
/// <param name="Steps">How many steps a path takes.</param>
public sealed record PathModel(double R0, double Sigma, double Horizon, int Steps)
{
    /// <summary>A rate of 3% with 1% volatility a year, over one year in 100 steps.</summary>
    public static PathModel Default { get; } = new(0.03, 0.01, 1.0, 100);

    /// <summary>The encoding's size: r0, sigma, horizon (8 bytes each) and the steps (4).</summary>
    public const int Size = 28;

    /// <summary>The mean of the final value.</summary>
    public double ExactMean => R0;

    /// <summary>The standard deviation of the final value.</summary>
    public double ExactStandardDeviation => Sigma * Math.Sqrt(Horizon);

    /// <summary>Checks the model, naming what is wrong.</summary>
    /// <exception cref="ArgumentException">A non-finite number, a negative sigma or horizon, or fewer than one step.</exception>
    public PathModel Validated()
    {
        if (!double.IsFinite(R0) || !double.IsFinite(Sigma) || !double.IsFinite(Horizon) || Sigma < 0 || Horizon < 0)
            throw new ArgumentException($"r0 {R0}, sigma {Sigma} and horizon {Horizon} must be finite, sigma and horizon not negative.");
        if (Steps < 1) throw new ArgumentException($"A path takes at least one step, not {Steps}.");
        return this;
    }

    internal void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteDoubleLittleEndian(destination, R0);
        BinaryPrimitives.WriteDoubleLittleEndian(destination[8..], Sigma);
        BinaryPrimitives.WriteDoubleLittleEndian(destination[16..], Horizon);
        BinaryPrimitives.WriteInt32LittleEndian(destination[24..], Steps);
    }

    internal static PathModel Read(ReadOnlySpan<byte> source)
    {
        var model = new PathModel(BinaryPrimitives.ReadDoubleLittleEndian(source), BinaryPrimitives.ReadDoubleLittleEndian(source[8..]),
            BinaryPrimitives.ReadDoubleLittleEndian(source[16..]), BinaryPrimitives.ReadInt32LittleEndian(source[24..]));
        try
        {
            return model.Validated();
        }
        catch (ArgumentException e)
        {
            throw new FormatException(e.Message, e);
        }
    }
}

/// <summary>A chunk of paths simulated in one call, from its own seed: the unit of work of a worker.</summary>
/// <param name="Seed">The seed of the chunk's normal samples.</param>
/// <param name="Paths">How many paths.</param>
/// <param name="Model">The paths' model.</param>
public sealed record Chunk(ulong Seed, int Paths, PathModel Model)
{
    private const int Size = 12 + PathModel.Size;

    /// <summary>
    /// Simulates the chunk's paths one after the other (each path's steps in order, the samples drawn in that order)
    /// and returns the moments of their final values. The one simulation both the cluster and the single-threaded
    /// reference run.
    /// </summary>
    // Optimized from the first call, with the sampler inlined: under tiered compilation a busy node keeps compiling new
    // methods, which postpones promoting the sampler to optimized code, and the cluster's first seconds would run it slow.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public Moments Simulate()
    {
        var normals = new NormalSampler(Seed);
        var scale = Model.Sigma * Math.Sqrt(Model.Horizon / Model.Steps);
        var moments = Moments.Empty;
        for (var p = 0; p < Paths; p++)
        {
            var r = Model.R0;
            for (var i = 0; i < Model.Steps; i++) r += scale * normals.Next();
            moments = moments.Add(r);
        }
        return moments;
    }

    /// <summary>The chunk as bytes (a scattered part).</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[Size];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, Seed);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), Paths);
        Model.Write(bytes.AsSpan(12));
        return bytes;
    }

    /// <summary>Reads a chunk written by <see cref="ToBytes"/>.</summary>
    /// <exception cref="FormatException">The bytes are not a valid chunk.</exception>
    public static Chunk Parse(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size) throw new FormatException($"A chunk takes {Size} bytes, not {bytes.Length}.");
        var paths = BinaryPrimitives.ReadInt32LittleEndian(bytes[8..]);
        if (paths < 0) throw new FormatException($"A chunk of {paths} paths.");
        return new Chunk(BinaryPrimitives.ReadUInt64LittleEndian(bytes), paths, PathModel.Read(bytes[12..]));
    }
}

/// <summary>
/// A block of paths with its own seed: one input of the job. It is cut into chunks of at most
/// <paramref name="ChunkPaths"/> paths, chunk c seeded with <see cref="SplitMix64.Derive"/>(block seed, c).
/// </summary>
/// <param name="Index">The block's index in its plan, which orders the final combination.</param>
/// <param name="Seed">The block's seed.</param>
/// <param name="Paths">How many paths.</param>
/// <param name="ChunkPaths">How many paths a chunk holds at most.</param>
/// <param name="Model">The paths' model.</param>
public sealed record Block(long Index, ulong Seed, int Paths, int ChunkPaths, PathModel Model)
{
    private const int Size = 24 + PathModel.Size;

    /// <summary>The block's chunks, in order (none for no paths).</summary>
    public IEnumerable<Chunk> Chunks()
    {
        var c = 0L;
        for (var first = 0L; first < Paths; first += ChunkPaths, c++)
            yield return new Chunk(SplitMix64.Derive(Seed, c), (int)Math.Min(ChunkPaths, Paths - first), Model);
    }

    /// <summary>The block's moments from its chunks' moments, combined in chunk order: what the gather and the reference both do.</summary>
    public static Moments Combine(IEnumerable<Moments> chunks) => Moments.CombineInOrder(chunks);

    /// <summary>The block simulated on this thread.</summary>
    public Moments Simulate() => Combine(Chunks().Select(c => c.Simulate()));

    /// <summary>The block as bytes (an input of the job).</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[Size];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, Index);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(8), Seed);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(16), Paths);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(20), ChunkPaths);
        Model.Write(bytes.AsSpan(24));
        return bytes;
    }

    /// <summary>Reads a block written by <see cref="ToBytes"/>.</summary>
    /// <exception cref="FormatException">The bytes are not a valid block.</exception>
    public static Block Parse(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size) throw new FormatException($"A block takes {Size} bytes, not {bytes.Length}.");
        var index = BinaryPrimitives.ReadInt64LittleEndian(bytes);
        var paths = BinaryPrimitives.ReadInt32LittleEndian(bytes[16..]);
        var chunkPaths = BinaryPrimitives.ReadInt32LittleEndian(bytes[20..]);
        if (index < 0 || paths < 0 || chunkPaths < 1)
            throw new FormatException($"Block {index} of {paths} paths in chunks of {chunkPaths}: index and paths must not be negative, chunks hold at least one path.");
        return new Block(index, BinaryPrimitives.ReadUInt64LittleEndian(bytes[8..]), paths, chunkPaths, PathModel.Read(bytes[24..]));
    }
}

/// <summary>The moments of one block, with the block's index: what the gather emits and the reduce collects.</summary>
/// <param name="Index">The block's index.</param>
/// <param name="Moments">The moments of its final values.</param>
public readonly record struct BlockSummary(long Index, Moments Moments)
{
    /// <summary>The encoding's size: the index (8 bytes) and the moments.</summary>
    public const int Size = 8 + Moments.Size;

    /// <summary>Writes the summary into the first <see cref="Size"/> bytes of <paramref name="destination"/>.</summary>
    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteInt64LittleEndian(destination, Index);
        Moments.Write(destination[8..]);
    }

    /// <summary>The summary as bytes.</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[Size];
        Write(bytes);
        return bytes;
    }

    /// <summary>Reads a summary written by <see cref="Write"/>.</summary>
    /// <exception cref="FormatException">The bytes are not a summary.</exception>
    public static BlockSummary Read(ReadOnlySpan<byte> source)
    {
        if (source.Length < Size) throw new FormatException($"A block summary takes {Size} bytes, not {source.Length}.");
        return new BlockSummary(BinaryPrimitives.ReadInt64LittleEndian(source), Moments.Read(source[8..]));
    }
}

/// <summary>
/// A whole Monte Carlo run: <paramref name="Paths"/> paths in blocks of <paramref name="BlockPaths"/> (block b seeded with
/// <see cref="SplitMix64.Derive"/>(seed, b)), each cut into chunks of <paramref name="ChunkPaths"/>. Which paths use
/// which samples depends only on these numbers, never on how many workers run them or in which order.
/// </summary>
/// <param name="Paths">How many paths in all.</param>
/// <param name="BlockPaths">How many paths an input (a block) holds at most.</param>
/// <param name="ChunkPaths">How many paths a worker's call (a chunk) holds at most.</param>
/// <param name="Seed">The seed everything derives from.</param>
/// <param name="Model">The paths' model.</param>
public sealed record MonteCarloPlan(long Paths, int BlockPaths, int ChunkPaths, ulong Seed, PathModel Model)
{
    /// <summary>Checks the plan, naming what is wrong.</summary>
    /// <exception cref="ArgumentException">Fewer than one path, block or chunk size under one, or a bad model.</exception>
    public MonteCarloPlan Validated()
    {
        if (Paths < 1) throw new ArgumentException($"--paths needs at least one path, not {Paths}.");
        if (BlockPaths < 1 || ChunkPaths < 1) throw new ArgumentException($"--block ({BlockPaths}) and --chunk ({ChunkPaths}) need at least one path.");
        Model.Validated();
        return this;
    }

    /// <summary>How many blocks (inputs).</summary>
    public long BlockCount => (Paths + BlockPaths - 1) / BlockPaths;

    /// <summary>The blocks, in order.</summary>
    public IEnumerable<Block> Blocks()
    {
        for (var b = 0L; b < BlockCount; b++)
            yield return new Block(b, SplitMix64.Derive(Seed, b), (int)Math.Min(BlockPaths, Paths - b * BlockPaths), ChunkPaths, Model);
    }

    /// <summary>
    /// The run's moments from its blocks' summaries, in whatever order they came: sorted by block index and combined in
    /// that order, so the result has the same bits as <see cref="RunSingleThreaded"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">A block appears twice (it would be counted twice).</exception>
    public static Moments Combine(IEnumerable<BlockSummary> blocks)
    {
        var sorted = blocks.OrderBy(b => b.Index).ToArray();
        for (var i = 1; i < sorted.Length; i++)
            if (sorted[i].Index == sorted[i - 1].Index) throw new InvalidOperationException($"Block {sorted[i].Index} was summarized twice.");
        return Moments.CombineInOrder(sorted.Select(b => b.Moments));
    }

    /// <summary>The whole run on this thread: every block's chunks, then the blocks, combined in the order the cluster's are.</summary>
    public Moments RunSingleThreaded() => Combine(Blocks().Select(b => new BlockSummary(b.Index, b.Simulate())));
}
