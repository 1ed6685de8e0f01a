using System.Diagnostics;
using Palm.Diagnostics;
using Palm.Hosting;
using Palm.Tests.Support;
using Xunit;

namespace Palm.Tests.Hosting;

/// <summary>
/// Start failures end processes the Unix way, as a user meets them: a node restarted while the old one still
/// runs, a server given a seed where nothing listens. Each is one line on standard error and a documented
/// exit code (<see cref="PalmExitCodes"/>), never a stack trace or an abort (134); a clean stop says so.
/// </summary>
[Trait(TestCategories.Category, TestCategories.Process)]
public sealed class StartFailureProcessTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_seed_restarted_on_the_port_of_one_still_running_exits_with_port_unavailable_naming_the_port_and_the_old_process()
    {
        var port = FreePorts.Unused();
        var (first, address) = await DemoProcess.StartAsync(StartTimeout, "seed", "--port", port.ToString());
        using (first)
        {
            Assert.Equal($"akka.tcp://palm@127.0.0.1:{port}", address);
            var clock = Stopwatch.StartNew();
            using var second = DemoProcess.Launch("seed", "--port", port.ToString());

            var code = await second.WaitForExitAsync(TimeSpan.FromSeconds(5));

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
            Assert.Equal(PalmExitCodes.PortUnavailable, code);
            // One line on stderr, nothing else anywhere (no stack trace from Akka's transport either).
            var error = Assert.Single(second.Errors.Split('\n'));
            Assert.Equal(error, second.Output);
            Assert.StartsWith($"palm: Cannot listen on 127.0.0.1:{port} for Akka.Remote (akka.remote.dot-netty.tcp.port): the port is in use, held by ", error);
            if (OperatingSystem.IsLinux())
            {
                Assert.Contains($"held by process {first.Pid} (dotnet ", error);
                Assert.EndsWith($"Palm.Demo.dll seed --port {port}). Stop that process or choose another port.", error);
                // One listener on the port, the first process's: the kernel never shares it between the two.
                Assert.Equal(1, ListenersOn(port));
            }
            Assert.False(first.HasExited);
        }
    }

    [Fact]
    public async Task A_server_given_a_seed_where_nothing_listens_exits_unreachable_within_the_connect_timeout_naming_the_seed()
    {
        var seed = $"akka.tcp://palm@127.0.0.1:{FreePorts.Unused()}";
        var config = Path.Combine(Path.GetTempPath(), $"palm-connect-{Guid.NewGuid():N}.conf");
        File.WriteAllText(config, "palm.connect-timeout = 4s");
        try
        {
            var clock = Stopwatch.StartNew();
            using var server = DemoProcess.Launch("server", "a", "--seed", seed, "--config", config);

            var code = await server.WaitForExitAsync(TimeSpan.FromSeconds(30));

            Assert.Equal(PalmExitCodes.Unreachable, code);
            Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(15));
            var error = Assert.Single(server.Errors.Split('\n'));
            Assert.StartsWith("palm: Node akka.tcp://palm@127.0.0.1:", error);
            Assert.Contains("could not join the cluster of its seed nodes within ", error);
            Assert.Contains($"tried {seed}: Connection refused", error);
            // The one line is all: Akka's warnings about the seed it could not reach are that line's "tried".
            Assert.Equal(error.Trim(), server.Output.Trim());
        }
        finally
        {
            File.Delete(config);
        }
    }

    [Fact]
    public async Task The_up_line_says_whether_a_node_founded_a_cluster_or_joined_one_and_a_clean_stop_says_it_left()
    {
        var (seed, seedAddress) = await DemoProcess.StartAsync(StartTimeout, "seed");
        using (seed)
        {
            Assert.Contains($"palm: node up at {seedAddress}, founding a new cluster (no seed nodes configured)", seed.Output);
            var (server, serverAddress) = await DemoProcess.StartAsync(StartTimeout, "server", "a", "--seed", seedAddress);
            using (server)
            {
                Assert.Contains($"palm: server 'a' (standalone) up at {serverAddress}, joined through seed node {seedAddress} (2 members)", server.Output);
                Assert.DoesNotContain("founding", server.Output);

                // SIGTERM, as a service manager stops a process: the node leaves the cluster and says so.
                using (var kill = Process.Start("kill", ["-TERM", server.Pid.ToString()])) await kill.WaitForExitAsync();
                Assert.Equal(PalmExitCodes.Ok, await server.WaitForExitAsync(TimeSpan.FromSeconds(30)));
                Assert.EndsWith($"palm: server 'a' (standalone) at {serverAddress} left the cluster", server.Output);
            }
        }
    }

    private static int ListenersOn(int port) =>
        new[] { "/proc/net/tcp", "/proc/net/tcp6" }.Where(File.Exists)
            .SelectMany(File.ReadLines).Count(line => PortInUse.ListeningInode(line, port) is not null);
}
