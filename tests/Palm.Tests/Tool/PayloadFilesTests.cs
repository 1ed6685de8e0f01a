using System.Text;
using Palm.Tool;
using Palm.Tests.Support;
using Xunit;

namespace Palm.Tests.Tool;

/// <summary>The input and output files of <c>palm job</c>: one payload a line, or length-prefixed.</summary>
public sealed class PayloadFilesTests : IDisposable
{
    private readonly string _path = Path.GetTempFileName();

    public void Dispose() => File.Delete(_path);

    private async Task<string[]> Read(PayloadFormat format)
    {
        await using var stream = File.OpenRead(_path);
        var payloads = new List<string>();
        await foreach (var p in PayloadFiles.ReadAsync(stream, format)) payloads.Add(Encoding.UTF8.GetString(p));
        return [.. payloads];
    }

    private async Task<long?> Count(PayloadFormat format)
    {
        await using var stream = File.OpenRead(_path);
        var count = await PayloadFiles.CountAsync(stream, format);
        // Counting leaves the stream at its start, for the read that follows.
        Assert.Equal(0, stream.Position);
        return count;
    }

    [Fact]
    public async Task A_pipe_has_no_count_and_is_not_consumed_by_asking()
    {
        using var pipe = new System.IO.Pipes.AnonymousPipeServerStream(System.IO.Pipes.PipeDirection.In);
        Assert.Null(await PayloadFiles.CountAsync(pipe, PayloadFormat.Lines));
    }

    [Fact]
    public async Task Lines_are_payloads_without_their_newline_or_carriage_return_and_counted_alike()
    {
        await File.WriteAllTextAsync(_path, "one\r\ntwo\n\nfour");

        Assert.Equal(["one", "two", "", "four"], await Read(PayloadFormat.Lines));
        Assert.Equal(4, await Count(PayloadFormat.Lines));
        await File.WriteAllTextAsync(_path, "");
        Assert.Equal(0, await Count(PayloadFormat.Lines));
    }

    [Fact]
    public async Task Binary_payloads_written_are_read_back_whatever_their_bytes_and_counted()
    {
        string[] payloads = ["with\nnewline", "", new string('x', 100_000)];
        await using (var stream = File.Create(_path))
            foreach (var p in payloads) await PayloadFiles.WriteAsync(stream, PayloadFormat.Binary, Encoding.UTF8.GetBytes(p));

        Assert.Equal(payloads, await Read(PayloadFormat.Binary));
        Assert.Equal(3, await Count(PayloadFormat.Binary));
    }

    [Fact]
    public async Task A_binary_file_that_ends_inside_a_payload_is_refused_naming_the_payload()
    {
        await File.WriteAllBytesAsync(_path, [0, 0, 0, 2, (byte)'o', (byte)'k', 0, 0, 0, 9, (byte)'x']);

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => Read(PayloadFormat.Binary));
        Assert.StartsWith("The input ends inside payload #1 (9 bytes announced)", e.Message);
    }

    [Fact]
    public void The_cluster_is_the_seeds_given_else_the_config_file_else_the_environment()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "palm.client.contact-points = [\"akka.tcp://palm@file:1\"]\npalm.client.window = 9");
            Assert.Equal(["akka.tcp://palm@flag:1"], ClusterOptions.ClientConfig(["akka.tcp://palm@flag:1"], file, "akka.tcp://palm@env:1").GetStringList("palm.client.contact-points"));
            var fromFile = ClusterOptions.ClientConfig([], file, "akka.tcp://palm@env:1");
            Assert.Equal(["akka.tcp://palm@file:1"], fromFile.GetStringList("palm.client.contact-points"));
            Assert.Equal(9, fromFile.GetInt("palm.client.window"));
            Assert.Equal(["akka.tcp://palm@a:1", "akka.tcp://palm@b:2"],
                ClusterOptions.ClientConfig([], null, "akka.tcp://palm@a:1, akka.tcp://palm@b:2").GetStringList("palm.client.contact-points"));
            var e = Assert.Throws<ArgumentException>(() => ClusterOptions.ClientConfig([], null, null));
            Assert.StartsWith("Which cluster? Give --seed", e.Message);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
