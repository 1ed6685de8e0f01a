using Palm.AspNetCore.Internal;
using Xunit;

namespace Palm.Tests.AspNetCore;

/// <summary>The spool between a streamed job and its response: never waits to write, keeps order, bounded in memory.</summary>
public sealed class ResultSpoolTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("palm-spool-test-");
    private long _highWater;

    private ResultSpool Spool(int bound) => new(bound, _directory.FullName, bytes => _highWater = Math.Max(_highWater, bytes));

    private static byte[] Chunk(int i) => [.. BitConverter.GetBytes(i), .. new byte[i % 50]];

    [Fact]
    public async Task Bytes_written_while_nobody_reads_come_back_in_order_with_memory_under_the_bound_and_the_rest_in_a_file()
    {
        using var spool = Spool(1024);
        var written = new MemoryStream();
        for (var i = 0; i < 5_000; i++)
        {
            spool.Write(Chunk(i));
            written.Write(Chunk(i));
        }
        spool.Complete();

        Assert.InRange(_highWater, 1, 1024);
        Assert.True(spool.SpilledBytes > 0);
        Assert.Single(_directory.GetFiles());
        Assert.Equal(written.ToArray(), await ReadAll(spool, 333));
    }

    [Fact]
    public async Task Writes_interleaved_with_reads_keep_their_order_across_spilling_and_catching_up()
    {
        using var spool = Spool(256);
        var written = new MemoryStream();
        var read = new MemoryStream();
        var buffer = new byte[100];
        for (var i = 0; i < 3_000; i++)
        {
            spool.Write(Chunk(i));
            written.Write(Chunk(i));
            // The reader lags, catches up now and then: memory, file, memory again.
            if (i % 7 == 0 || i % 500 == 0)
                while (spool.HasData && (i % 500 == 0 || read.Length < written.Length - 600))
                    read.Write(buffer, 0, await spool.ReadAsync(buffer, CancellationToken.None));
        }
        spool.Complete();
        read.Write(await ReadAll(spool, 64));

        Assert.Equal(written.ToArray(), read.ToArray());
        Assert.InRange(_highWater, 1, 256);
    }

    [Fact]
    public async Task A_reader_waits_for_the_next_write_and_gets_0_once_completed_and_drained()
    {
        using var spool = Spool(1024);
        var buffer = new byte[16];
        var pending = spool.ReadAsync(buffer, CancellationToken.None).AsTask();
        Assert.False(pending.IsCompleted);

        spool.Write([1, 2, 3]);
        Assert.Equal(3, await pending.WaitAsync(TimeSpan.FromSeconds(10)));
        spool.Complete();
        Assert.Equal(0, await spool.ReadAsync(buffer, CancellationToken.None));
    }

    [Fact]
    public void Disposing_deletes_the_spill_file()
    {
        var spool = Spool(8);
        spool.Write(new byte[100]);
        Assert.Single(_directory.GetFiles());

        spool.Dispose();

        Assert.Empty(_directory.GetFiles());
    }

    private static async Task<byte[]> ReadAll(ResultSpool spool, int size)
    {
        var all = new MemoryStream();
        var buffer = new byte[size];
        int n;
        while ((n = await spool.ReadAsync(buffer, CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(10))) > 0) all.Write(buffer, 0, n);
        return all.ToArray();
    }

    public void Dispose() => _directory.Delete(recursive: true);
}
