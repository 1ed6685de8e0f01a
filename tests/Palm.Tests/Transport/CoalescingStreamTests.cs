using Palm.Transport.Internal;
using Xunit;

namespace Palm.Tests.Transport;

/// <summary>The stream under an outbound lane's TLS: the records of one batch leave in one write.</summary>
public sealed class CoalescingStreamTests
{
    /// <summary>Records each write it gets.</summary>
    private sealed class RecordingStream : MemoryStream
    {
        public List<int> Writes { get; } = [];

        public override void Write(ReadOnlySpan<byte> buffer) => Write(buffer.ToArray(), 0, buffer.Length);

        public override void Write(byte[] buffer, int offset, int count)
        {
            Writes.Add(count);
            base.Write(buffer, offset, count);
        }
    }

    private static byte[] Record(int index, int size) => Enumerable.Range(0, size).Select(i => (byte)(index + i)).ToArray();

    [Fact]
    public void Writes_collect_until_the_flush_and_leave_in_order_in_one_write()
    {
        var inner = new RecordingStream();
        using var stream = new CoalescingStream(inner, 256 * 1024) { Coalescing = true };
        var records = Enumerable.Range(0, 10).Select(i => Record(i, 16 * 1024 + 22)).ToArray();
        foreach (var record in records) stream.Write(record);
        Assert.Empty(inner.Writes);

        stream.Flush();
        Assert.Equal([records.Sum(r => r.Length)], inner.Writes);
        Assert.Equal(records.SelectMany(r => r).ToArray(), inner.ToArray());
    }

    [Fact]
    public void A_full_buffer_is_sent_before_more_is_taken_and_a_write_larger_than_it_goes_through_on_its_own()
    {
        var inner = new RecordingStream();
        using var stream = new CoalescingStream(inner, 1000) { Coalescing = true };
        stream.Write(Record(1, 600));
        stream.Write(Record(2, 600));
        Assert.Equal([600], inner.Writes);
        stream.Write(Record(3, 5000));
        Assert.Equal([600, 600, 5000], inner.Writes);
        stream.Flush();
        Assert.Equal([600, 600, 5000], inner.Writes);
        Assert.Equal(Record(1, 600).Concat(Record(2, 600)).Concat(Record(3, 5000)).ToArray(), inner.ToArray());
    }

    [Fact]
    public void Before_coalescing_is_on_every_write_goes_through_at_once()
    {
        var inner = new RecordingStream();
        using var stream = new CoalescingStream(inner, 1000);
        stream.Write(Record(1, 10));
        stream.Write(Record(2, 20));
        Assert.Equal([10, 20], inner.Writes);
    }
}
