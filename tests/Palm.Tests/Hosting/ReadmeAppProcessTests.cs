using System.Net;
using System.Net.Sockets;
using Palm.Hosting;
using Palm.Tests.Support;
using Xunit;

namespace Palm.Tests.Hosting;

/// <summary>
/// A program written the README's way (tests/Palm.ReadmeApp: top-level awaits of PalmHost.RunServerAsync and
/// PalmClient.RunAsync, no try/catch) ends a mistake with one line on stderr and Palm's exit code, never an
/// unhandled exception (exit 134 with a stack trace).
/// </summary>
[Trait(TestCategories.Category, TestCategories.Process)]
public sealed class ReadmeAppProcessTests
{
    private const string App = "Palm.ReadmeApp.dll";
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(30);

    private static async Task<(int Code, DemoProcess Process)> RunToEnd(params string[] args)
    {
        var process = DemoProcess.LaunchProgram(App, args);
        return (await process.WaitForExitAsync(Within), process);
    }

    [Fact]
    public async Task A_readme_server_on_a_port_in_use_exits_3_with_one_line()
    {
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var port = ((IPEndPoint)holder.LocalEndpoint).Port;

        var (code, process) = await RunToEnd("--port", port.ToString());
        using (process)
        {
            Assert.Equal(PalmExitCodes.PortUnavailable, code);
            var line = Assert.Single(process.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith($"palm: Cannot listen on 127.0.0.1:{port} for Akka.Remote", line);
            Assert.Contains($"held by process {Environment.ProcessId}", line);
        }
    }

    [Fact]
    public async Task A_readme_server_given_a_misspelt_flag_exits_2_with_one_line()
    {
        var (code, process) = await RunToEnd("--sead", "akka.tcp://palm@127.0.0.1:4053");
        using (process)
        {
            Assert.Equal(PalmExitCodes.Configuration, code);
            Assert.Equal("palm: --sead is not a flag of this program; did you mean --seed? The flags are --host, --port, --lane-port, --seed, --config, --role, --help.",
                process.Output.Trim());
        }
    }

    [Fact]
    public async Task A_readme_server_asked_for_help_prints_the_node_flags_and_variables_and_exits_0()
    {
        var (code, process) = await RunToEnd("--help");
        using (process)
        {
            Assert.Equal(PalmExitCodes.Ok, code);
            Assert.StartsWith("usage: Palm.ReadmeApp [node flags]", process.Output);
            Assert.Contains("--lane-port <port>", process.Output);
            Assert.Contains("PALM_SEEDS", process.Output);
            Assert.Equal("", process.Errors);
        }
    }

    [Fact]
    public async Task A_readme_client_whose_contact_is_not_listening_exits_4_with_one_line()
    {
        var port = FreePorts.Unused();
        var (code, process) = await RunToEnd("client", $"akka.tcp://palm@127.0.0.1:{port}");
        using (process)
        {
            Assert.Equal(PalmExitCodes.Unreachable, code);
            var line = Assert.Single(process.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains($"nothing listens at 127.0.0.1:{port} (connection refused)", line);
        }
    }

    [Fact]
    public async Task A_readme_server_and_client_run_a_job_and_the_client_exits_0()
    {
        var server = DemoProcess.LaunchProgram(App);
        using (server)
        {
            var address = await server.UpAddress.WaitAsync(Within);
            var (code, client) = await RunToEnd("client", address);
            using (client)
            {
                Assert.Equal(PalmExitCodes.Ok, code);
                // The whole output on failure: a line after the result is a log line, and its text is the news.
                Assert.True("parsed 5 bytes" == client.Output.Trim(), client.Output);
            }
        }
    }
}
