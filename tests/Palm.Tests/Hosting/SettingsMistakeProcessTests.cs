using Palm.Hosting;
using System.Diagnostics;
using Palm.Tests.Support;
using Xunit;

namespace Palm.Tests.Hosting;

/// <summary>
/// A node started with a mistake in its flags or settings stops within seconds, naming the mistake, instead of
/// starting as something else (a node that founds a cluster of its own, a node without TLS).
/// </summary>
[Trait(TestCategories.Category, TestCategories.Process)]
public sealed class SettingsMistakeProcessTests
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(5);

    public static TheoryData<string, string?, string> Mistakes() => new()
    {
        { "--sead", null, "palm: --sead is not a flag of this program; did you mean --seed? The flags are --host, --port, --lane-port, --seed, --config, --role, --help." },
        { "", "akka.cluster.seed-node = [\"akka.tcp://palm@127.0.0.1:4053\"]", "palm: akka.cluster.seed-node is not an Akka.Cluster setting; did you mean akka.cluster.seed-nodes?" },
        { "", "palm.tls.enable = on", "palm: palm.tls.enable is not a Palm setting; did you mean palm.tls.enabled?" },
        { "", "palm {\n  client.window = 10\n", ", line 1: '{' is never closed." },
    };

    [Theory]
    [MemberData(nameof(Mistakes))]
    public async Task A_seed_started_with_a_mistake_exits_within_seconds_naming_it(string flag, string? hocon, string expected)
    {
        var file = Path.Combine(Path.GetTempPath(), $"palm-mistake-{Guid.NewGuid():N}.conf");
        try
        {
            List<string> args = ["seed", "--port", "0"];
            if (flag.Length > 0) args.AddRange([flag, "akka.tcp://palm@127.0.0.1:4053"]);
            if (hocon is not null)
            {
                File.WriteAllText(file, hocon);
                args.AddRange(["--config", file]);
            }
            var clock = Stopwatch.StartNew();
            var (exitCode, output) = await DemoProcess.RunToEndAsync(Within, [.. args]);
            Assert.Equal(PalmExitCodes.Configuration, exitCode);
            Assert.Contains(expected, output);
            Assert.DoesNotContain("up at", output);
            Assert.True(clock.Elapsed < Within, $"took {clock.Elapsed}");
        }
        finally
        {
            File.Delete(file);
        }
    }
}
