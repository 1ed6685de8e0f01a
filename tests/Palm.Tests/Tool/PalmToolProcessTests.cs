using System.Buffers.Binary;
using System.Text;
using Palm.Hosting;
using Palm.TestKit;
using Palm.Tests.Support;
using Xunit;

namespace Palm.Tests.Tool;

/// <summary>A cluster in the test's process (a seed and server w, a <see cref="WordsServer"/>) for the palm tool to point at.</summary>
public sealed class ToolCluster : IAsyncLifetime
{
    public PalmTestCluster Cluster { get; private set; } = null!;

    public string Seed => Cluster.Seed.Address;

    public async Task InitializeAsync()
    {
        Cluster = await PalmTestCluster.StartAsync();
        await Cluster.StartServerAsync<WordsServer>("w");
    }

    public Task DisposeAsync() => Cluster.DisposeAsync().AsTask();
}

/// <summary>The palm tool (<c>dotnet Palm.Tool.dll</c>) run as a process against a cluster: eval, job in both formats, a bad route.</summary>
[Trait(TestCategories.Category, TestCategories.Process)]
public sealed class PalmToolProcessTests(ToolCluster fixture) : IClassFixture<ToolCluster>, IDisposable
{
    public const string Tool = "Palm.Tool.dll";
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(60);
    private readonly string _directory = Directory.CreateTempSubdirectory("palm-tool-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>Runs the tool to its end; returns its exit code, standard output and standard error.</summary>
    public static async Task<(int Code, string Output, string Errors)> Palm(params string[] args)
    {
        using var process = DemoProcess.LaunchProgram(Tool, args);
        var code = await process.WaitForExitAsync(Within);
        var errors = process.Errors;
        // Output holds both streams: take each error line out once (not every line like it, as Except would, with repeated lines).
        var lines = process.Output.Split('\n').ToList();
        foreach (var line in errors.Split('\n', StringSplitOptions.RemoveEmptyEntries)) lines.Remove(line);
        var output = string.Join('\n', lines);
        return (code, output, errors);
    }

    private string File(string name) => Path.Combine(_directory, name);

    [Fact]
    public async Task Eval_prints_the_result_of_a_payload_through_the_route()
    {
        var (code, output, errors) = await Palm("eval", "w.upper", "--input", "hello palm", "--seed", fixture.Seed);

        Assert.True(code == PalmExitCodes.Ok, errors);
        Assert.Equal("HELLO PALM", output.Trim());
        Assert.Equal("", errors);
    }

    [Fact]
    public async Task A_bad_route_prints_the_servers_of_the_cluster_and_exits_2()
    {
        var (code, _, errors) = await Palm("eval", "nope.upper", "--input", "x", "--seed", fixture.Seed);

        Assert.Equal(PalmExitCodes.Configuration, code);
        var lines = errors.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("palm: Step 0 (nope.upper) names server 'nope', which the cluster does not have", lines[0]);
        Assert.StartsWith("palm: the cluster's servers: w ", lines[1]);
    }

    [Fact]
    public async Task A_job_in_lines_writes_every_result_and_names_each_error_by_its_input()
    {
        var inputs = Enumerable.Range(0, 500).Select(i => i == 7 || i == 300 ? "bad" : $"line {i}").ToArray();
        await System.IO.File.WriteAllLinesAsync(File("in.txt"), inputs);

        var (code, _, errors) = await Palm("job", "w.picky,w.upper", "--input", File("in.txt"), "--output", File("out.txt"), "--seed", fixture.Seed);

        // Two error results: exit 1, each named with its input on stderr, and the others all written.
        Assert.Equal(PalmExitCodes.Failure, code);
        Assert.Contains("palm: input #7: ", errors);
        Assert.Contains("palm: input #300: ", errors);
        Assert.Contains("FormatException: bad input", errors);
        Assert.Contains("500/500 inputs (100%)", errors);
        Assert.Contains("2 errors", errors);
        var expected = inputs.Where(i => i != "bad").Select(i => i.ToUpperInvariant()).Order();
        Assert.Equal(expected, (await System.IO.File.ReadAllLinesAsync(File("out.txt"))).Order());
    }

    [Fact]
    public async Task A_job_in_binary_writes_every_result_length_prefixed_in_input_order_when_asked()
    {
        // Payloads with newlines and empty ones: what lines could not carry.
        var inputs = Enumerable.Range(0, 300).Select(i => i % 50 == 0 ? "" : $"payload\n{i}").ToArray();
        await using (var input = System.IO.File.Create(File("in.bin")))
            foreach (var text in inputs) Frame(input, Encoding.UTF8.GetBytes(text));

        var (code, _, errors) = await Palm("job", "w.upper", "--input", File("in.bin"), "--output", File("out.bin"), "--format", "binary", "--ordered",
            "--window", "16", "--seed", fixture.Seed);

        Assert.True(code == PalmExitCodes.Ok, errors);
        Assert.Contains("300/300 inputs (100%)", errors);
        Assert.Contains("0 errors", errors);
        Assert.Equal(inputs.Select(i => i.ToUpperInvariant()), Frames(await System.IO.File.ReadAllBytesAsync(File("out.bin"))));
    }

    [Fact]
    public async Task Ctrl_C_cancels_a_running_job_exits_130_and_says_how_much_was_in_flight()
    {
        // A named pipe as the input: the job reads what the test writes, and never sees its end.
        var fifo = File("in.fifo");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [fifo])) await mkfifo.WaitForExitAsync();
        using var tool = DemoProcess.LaunchInterruptible(Tool, "job", "w.upper", "--input", fifo, "--output", File("out.txt"), "--window", "8", "--seed", fixture.Seed);
        await using (var writer = new StreamWriter(new FileStream(fifo, FileMode.Open, FileAccess.Write, FileShare.ReadWrite)))
        {
            for (var i = 0; i < 20; i++) await writer.WriteLineAsync($"line {i}");
            await writer.FlushAsync();
            // Results of what was sent come in while the input stays open.
            await Eventually.AssertAsync(() => Assert.Equal(20, ReadLinesShared(File("out.txt")).Length), Within);

            tool.Interrupt();
            var code = await tool.WaitForExitAsync(Within);

            Assert.Equal(PalmExitCodes.Cancelled, code);
            Assert.Contains("palm: cancelled after 20 inputs were sent, 20 answered; 20 results are in ", tool.Errors);
            Assert.Contains("At most 8 inputs (the window) were in flight", tool.Errors);
        }
    }

    private static string[] ReadLinesShared(string path)
    {
        if (!System.IO.File.Exists(path)) return [];
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return new StreamReader(stream).ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    [Fact]
    public async Task Without_a_terminal_a_job_reports_in_plain_lines_not_a_redrawn_bar()
    {
        await System.IO.File.WriteAllLinesAsync(File("in.txt"), ["a", "b"]);

        var (code, _, errors) = await Palm("job", "w.upper", "--input", File("in.txt"), "--output", File("out.txt"), "--seed", fixture.Seed);

        Assert.True(code == PalmExitCodes.Ok, errors);
        Assert.DoesNotContain("\u001b[", errors);
        Assert.Matches(@"^palm: job w\.upper: 2/2 inputs \(100%\), [\d,]+/s, 0 errors, in \d+:\d\d; 2 results written to ", errors.Split('\n')[^1]);
    }

    [Fact]
    public async Task Without_a_cluster_to_reach_the_tool_says_how_to_name_one_and_exits_2()
    {
        var (code, _, errors) = await Palm("eval", "w.upper", "--input", "x");

        Assert.Equal(PalmExitCodes.Configuration, code);
        Assert.StartsWith("palm: Which cluster? Give --seed", errors);
    }

    private static void Frame(Stream stream, byte[] payload)
    {
        var header = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(header, payload.Length);
        stream.Write(header);
        stream.Write(payload);
    }

    private static IEnumerable<string> Frames(byte[] bytes)
    {
        for (var i = 0; i < bytes.Length;)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(i));
            yield return Encoding.UTF8.GetString(bytes, i + 4, length);
            i += 4 + length;
        }
    }
}
