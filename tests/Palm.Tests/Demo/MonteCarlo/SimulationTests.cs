using Palm.Demo.MonteCarlo;
using Xunit;

namespace Palm.Tests.Demo.MonteCarlo;

/// <summary>The generator, the normal samples, the plan's cut into blocks and chunks, and the paths' distribution.</summary>
public sealed class SimulationTests
{
    private static readonly MonteCarloPlan Small = new(23_457, 5_000, 700, 42, PathModel.Default with { Steps = 50 });

    [Fact]
    public void Split_mix_reproduces_the_published_sequence_and_derives_children_as_its_outputs()
    {
        // The reference implementation's first outputs for seed 0 (Vigna, splitmix64.c): fixed on every .NET version.
        var generator = new SplitMix64(0);
        Assert.Equal([0xE220A8397B1DCDAFUL, 0x6E789E6AA1B965F4UL, 0x06C45D188009454FUL], [generator.Next(), generator.Next(), generator.Next()]);

        var parent = new SplitMix64(1234);
        for (var i = 0; i < 5; i++) Assert.Equal(parent.Next(), SplitMix64.Derive(1234, i));
    }

    [Fact]
    public void Normal_samples_have_mean_zero_and_standard_deviation_one()
    {
        var normals = new NormalSampler(42);
        var m = Moments.Empty;
        for (var i = 0; i < 200_000; i++) m = m.Add(normals.Next());

        // The seed is fixed, so this is not flaky; the bounds are what a correct sampler meets for almost every seed:
        // the mean's standard error is 1/sqrt(n) = 0.0022 (bound: 5 of them), the standard deviation's about 0.0016 (bound: 6).
        Assert.InRange(m.Mean, -0.011, 0.011);
        Assert.InRange(m.StandardDeviation, 0.99, 1.01);
        Assert.True(double.IsFinite(m.M2));
    }

    [Fact]
    public void Plan_cuts_the_paths_into_blocks_and_chunks_that_cover_each_path_once_with_distinct_seeds()
    {
        var blocks = Small.Blocks().ToArray();

        Assert.Equal(5, Small.BlockCount);
        Assert.Equal([5_000, 5_000, 5_000, 5_000, 3_457], blocks.Select(b => b.Paths));
        Assert.Equal([0L, 1, 2, 3, 4], blocks.Select(b => b.Index));
        var chunks = blocks.SelectMany(b => b.Chunks()).ToArray();
        Assert.Equal(Small.Paths, chunks.Sum(c => (long)c.Paths));
        Assert.All(chunks, c => Assert.InRange(c.Paths, 1, 700));
        Assert.Equal(8, blocks[0].Chunks().Count());                    // 7 x 700 + 100
        Assert.Equal(chunks.Length + blocks.Length, chunks.Select(c => c.Seed).Concat(blocks.Select(b => b.Seed)).Distinct().Count());
        Assert.Empty((blocks[0] with { Paths = 0 }).Chunks());
    }

    [Fact]
    public void Final_values_have_the_models_mean_and_standard_deviation()
    {
        var m = Small.RunSingleThreaded();

        Assert.Equal(Small.Paths, m.Count);
        // r(S) is normal with mean r(0) = 0.03 and standard deviation sigma * sqrt(T) = 0.01. With 23,457 paths the
        // mean's standard error is 6.5e-5 (bound: 5 of them) and the standard deviation's about 0.46% (bound: 3%).
        Assert.InRange(m.Mean, 0.03 - 5 * m.StandardError, 0.03 + 5 * m.StandardError);
        Assert.InRange(m.StandardDeviation / Small.Model.ExactStandardDeviation, 0.97, 1.03);
    }

    [Fact]
    public void The_same_plan_gives_the_same_bits_and_the_blocks_combine_alike_in_any_arrival_order()
    {
        var summaries = Small.Blocks().Select(b => new BlockSummary(b.Index, b.Simulate())).ToArray();
        var reference = Small.RunSingleThreaded();

        Assert.True(MonteCarloPlan.Combine(summaries.Reverse()).BitwiseEquals(reference));
        Assert.True(MonteCarloPlan.Combine([summaries[3], summaries[0], summaries[4], summaries[2], summaries[1]]).BitwiseEquals(reference));
        Assert.False((Small with { Seed = 43 }).RunSingleThreaded().BitwiseEquals(reference));
        var twice = Assert.Throws<InvalidOperationException>(() => MonteCarloPlan.Combine([.. summaries, summaries[2]]));
        Assert.Contains("Block 2", twice.Message);
    }

    [Fact]
    public void Blocks_and_chunks_survive_their_encoding_and_malformed_bytes_are_refused_by_name()
    {
        var block = Small.Blocks().Last();
        Assert.Equal(block, Block.Parse(block.ToBytes()));
        var chunk = block.Chunks().First();
        Assert.Equal(chunk, Chunk.Parse(chunk.ToBytes()));

        Assert.Contains("block", Assert.Throws<FormatException>(() => Block.Parse(new byte[5])).Message);
        Assert.Contains("chunk", Assert.Throws<FormatException>(() => Chunk.Parse(block.ToBytes())).Message);
        Assert.Contains("step", Assert.Throws<FormatException>(() => Chunk.Parse((chunk with { Model = chunk.Model with { Steps = 0 } }).ToBytes())).Message);
        Assert.Throws<FormatException>(() => Block.Parse((block with { ChunkPaths = 0 }).ToBytes()));
    }

    [Fact]
    public void Montecarlo_flags_set_the_plan_and_unknown_or_bad_flags_are_refused()
    {
        var defaults = MonteCarloOptions.Parse([]);
        Assert.Equal((1_000_000L, 10_000, 1_000, 42UL, 100, 2), (defaults.Plan.Paths, defaults.Plan.BlockPaths, defaults.Plan.ChunkPaths, defaults.Plan.Seed, defaults.Plan.Model.Steps, defaults.Workers));

        var set = MonteCarloOptions.Parse(["--paths", "5000", "--steps", "20", "--workers", "3", "--seed", "7", "--block", "900", "--chunk", "90"]);
        Assert.Equal((5_000L, 900, 90, 7UL, 20, 3), (set.Plan.Paths, set.Plan.BlockPaths, set.Plan.ChunkPaths, set.Plan.Seed, set.Plan.Model.Steps, set.Workers));

        Assert.Contains("--nope", Assert.Throws<ArgumentException>(() => MonteCarloOptions.Parse(["--nope", "1"])).Message);
        Assert.Contains("--paths", Assert.Throws<ArgumentException>(() => MonteCarloOptions.Parse(["--paths"])).Message);
        Assert.Contains("--paths", Assert.Throws<ArgumentException>(() => MonteCarloOptions.Parse(["--paths", "0"])).Message);
        Assert.Throws<ArgumentException>(() => MonteCarloOptions.Parse(["--steps", "0"]));
        Assert.Throws<ArgumentException>(() => MonteCarloOptions.Parse(["--workers", "-1"]));
    }
}
