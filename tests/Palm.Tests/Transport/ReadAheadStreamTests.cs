using Palm.Transport.Internal;
using Xunit;

namespace Palm.Tests.Transport;

/// <summary>The stream under an inbound lane's TLS: what waits on the socket is taken in one receive.</summary>
public sealed class ReadAheadStreamTests
{
    /// <summary>A connection's bytes, recording the size of each read it serves; Available counts what no read took.</summary>
    private sealed class RecordingStream(byte[] bytes) : MemoryStream(bytes)
    {
        public List<int> Reads { get; } = [];

        public int Available => (int)(Length - Position);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Reads.Add(buffer.Length);
            return base.ReadAsync(buffer, cancellationToken);
        }

        public override int Read(Span<byte> buffer)
        {
            Reads.Add(buffer.Length);
            return base.Read(buffer);
        }
    }

    private static byte[] Bytes(int size) => Enumerable.Range(0, size).Select(i => (byte)(i * 7)).ToArray();

    private static async Task<byte[]> ReadAll(Stream stream, int chunk)
    {
        var all = new List<byte>();
        var buffer = new byte[chunk];
        int n;
        while ((n = await stream.ReadAsync(buffer)) > 0) all.AddRange(buffer.AsSpan(0, n).ToArray());
        return all.ToArray();
    }

    [Fact]
    public async Task Reads_of_a_record_each_are_served_from_one_receive_of_everything_waiting()
    {
        var bytes = Bytes(64 * 1024 + 100);
        var inner = new RecordingStream(bytes);
        await using var stream = new ReadAheadStream(inner, () => inner.Available, 256 * 1024) { Enabled = true };

        Assert.Equal(bytes, await ReadAll(stream, 16 * 1024 + 29));
        // One receive took all 64 KiB and more; the last read (nothing waiting) went to the connection itself.
        Assert.Equal([bytes.Length, 16 * 1024 + 29], inner.Reads);
    }

    [Fact]
    public async Task A_receive_takes_at_most_the_capacity_and_the_next_one_takes_the_rest()
    {
        var bytes = Bytes(10_000);
        var inner = new RecordingStream(bytes);
        await using var stream = new ReadAheadStream(inner, () => inner.Available, 4096) { Enabled = true };

        Assert.Equal(bytes, await ReadAll(stream, 1000));
        Assert.Equal([4096, 4096, 1808, 1000], inner.Reads);
    }

    [Fact]
    public async Task When_no_more_waits_than_asked_the_read_goes_straight_to_the_connection()
    {
        var bytes = Bytes(500);
        var inner = new RecordingStream(bytes);
        await using var stream = new ReadAheadStream(inner, () => inner.Available, 4096) { Enabled = true };

        var buffer = new byte[1000];
        Assert.Equal(500, await stream.ReadAsync(buffer));
        Assert.Equal(bytes, buffer[..500]);
        Assert.Equal([1000], inner.Reads);
    }

    [Fact]
    public async Task A_zero_byte_read_reaches_the_connection_so_a_quiet_one_holds_no_buffer()
    {
        var inner = new RecordingStream(Bytes(100));
        await using var stream = new ReadAheadStream(inner, () => inner.Available, 4096) { Enabled = true };

        Assert.Equal(0, await stream.ReadAsync(Memory<byte>.Empty));
        Assert.Equal([0], inner.Reads);
    }

    [Fact]
    public void Synchronous_reads_take_ahead_the_same_way()
    {
        var bytes = Bytes(3000);
        var inner = new RecordingStream(bytes);
        using var stream = new ReadAheadStream(inner, () => inner.Available, 4096) { Enabled = true };

        var buffer = new byte[1000];
        var all = new List<byte>();
        int n;
        while ((n = stream.Read(buffer)) > 0) all.AddRange(buffer[..n]);
        Assert.Equal(bytes, all.ToArray());
        Assert.Equal([3000, 1000], inner.Reads);
    }

    [Fact]
    public async Task Until_enabled_every_read_goes_straight_to_the_connection()
    {
        var bytes = Bytes(3000);
        var inner = new RecordingStream(bytes);
        await using var stream = new ReadAheadStream(inner, () => inner.Available, 4096);

        Assert.Equal(bytes, await ReadAll(stream, 1000));
        Assert.Equal([1000, 1000, 1000, 1000], inner.Reads);
    }
}
