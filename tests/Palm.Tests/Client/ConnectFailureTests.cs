using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Akka.Configuration;
using Palm.Client;
using Palm.Hosting;
using Palm.Messages;
using Palm.Tests.Security;
using Palm.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Palm.Tests.Client;

/// <summary>Two nodes to connect to with the wrong settings: one without TLS, one with palm.tls on (certificates of the cluster's CA).</summary>
public sealed class ConnectTargets : IAsyncLifetime
{
    public TestCertificates Certificates { get; } = new();
    public PalmNode Plain { get; private set; } = null!;
    public PalmNode Tls { get; private set; } = null!;

    /// <summary>The port of <paramref name="node"/>.</summary>
    public static int Port(PalmNode node) => int.Parse(node.Address[(node.Address.LastIndexOf(':') + 1)..]);

    public async Task InitializeAsync()
    {
        Plain = await PalmHost.StartNodeAsync(new NodeOptions());
        Tls = await PalmHost.StartNodeAsync(new NodeOptions { Config = Certificates.Tls(Certificates.Pfx("node-a")) });
    }

    public async Task DisposeAsync()
    {
        await Task.WhenAll(PalmHost.StopNodeAsync(Plain), PalmHost.StopNodeAsync(Tls));
        Certificates.Dispose();
    }
}

/// <summary>
/// Every way a client's connection goes wrong is named within seconds, with the time it took: nothing listening,
/// TLS on one side only, a certificate one side does not trust, a system or host name the node does not answer to.
/// The outer bound (palm.connect-timeout) is 20 s here, so a message within 5 s (10 s for a wrong name) is the cause found, not a time-out.
/// </summary>
[Trait(TestCategories.Category, TestCategories.Cluster)]
public sealed class ConnectFailureTests(ConnectTargets nodes, ITestOutputHelper output) : IClassFixture<ConnectTargets>
{
    private static readonly TimeSpan Named = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A wrong system or host name is found by asking the other names from new actor systems: over TLS their first
    /// associations stalled about 4 s at once in 1 run of 10 here (the probe then waits on, up to palm.connect-timeout).
    /// </summary>
    private static readonly TimeSpan NamedByAsking = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private static readonly Config Patient = ConfigurationFactory.ParseString("palm.connect-timeout = 20s");

    private TestCertificates Certificates => nodes.Certificates;

    /// <summary>Connects with <paramref name="config"/>, expects the failure within <see cref="Named"/>, and returns its message.</summary>
    private async Task<string> Refused(string contact, Config? config = null, TimeSpan? within = null)
    {
        var clock = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<PalmConnectException>(() => PalmClient.ConnectAsync(contact, (config ?? Config.Empty).WithFallback(Patient)).WaitAsync(Bound));
        clock.Stop();
        Assert.True(clock.Elapsed < (within ?? Named), $"named after {clock.Elapsed}: {e.Message}");
        Assert.StartsWith($"Cannot connect to {contact.Replace("/user/palm", "")} (after ", e.Message);
        Assert.Matches(@"\(after \d+\.\d+ s\)", e.Message);
        output.WriteLine(e.Message);
        return e.Message;
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    [Fact]
    public async Task Nothing_listening_at_the_contact_is_named_as_a_refused_connection()
    {
        var port = FreePort();
        var message = await Refused($"akka.tcp://palm@127.0.0.1:{port}");
        Assert.Contains($"nothing listens at 127.0.0.1:{port} (connection refused)", message);
    }

    [Theory]
    [InlineData("akka.tcp")]
    [InlineData("akka.ssl.tcp")]
    public async Task A_client_with_TLS_on_is_told_the_node_does_not_speak_TLS(string protocol)
    {
        var message = await Refused($"{protocol}://palm@127.0.0.1:{ConnectTargets.Port(nodes.Plain)}", Certificates.Tls(Certificates.Pfx("client")));
        Assert.Contains($"this client has palm.tls on, but the node at 127.0.0.1:{ConnectTargets.Port(nodes.Plain)} does not speak TLS", message);
    }

    [Fact]
    public async Task A_client_without_TLS_is_told_the_node_speaks_TLS()
    {
        var message = await Refused($"akka.tcp://palm@127.0.0.1:{ConnectTargets.Port(nodes.Tls)}");
        Assert.Contains("speaks TLS (its palm.tls is on", message);
        Assert.Contains("this client has palm.tls off", message);
    }

    [Fact]
    public async Task A_client_without_TLS_given_the_TLS_address_is_told_to_turn_TLS_on()
    {
        var message = await Refused(nodes.Tls.Address);
        Assert.Contains("the contact is an address with TLS (akka.ssl.tcp), and this client has palm.tls off", message);
    }

    [Fact]
    public async Task A_client_whose_certificate_the_node_refuses_is_told_so_with_its_certificates_issuer()
    {
        var message = await Refused(nodes.Tls.Address, Certificates.Tls(Certificates.Pfx("stranger-client")));
        Assert.Contains("the node refused this client's certificate", message);
        Assert.Contains("issued by 'CN=Other CA", message);
    }

    [Fact]
    public async Task A_client_that_does_not_trust_the_nodes_certificate_names_it_and_the_CA_it_trusts()
    {
        var message = await Refused(nodes.Tls.Address, Certificates.Tls(Certificates.Pfx("client"), Certificates.Theirs.CaCrt));
        Assert.Contains("this client does not trust the node's certificate: certificate 'CN=node-a", message);
        Assert.Contains("issued by 'CN=Palm Test CA", message);
        Assert.Contains("this client trusts only the CA 'CN=Other CA", message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_wrong_system_name_is_named_with_the_nodes_real_one(bool tls)
    {
        var node = tls ? nodes.Tls : nodes.Plain;
        var config = tls ? Certificates.Tls(Certificates.Pfx("client")) : null;
        var message = await Refused(node.Address.Replace("://palm@", "://pulm@"), config, NamedByAsking);
        Assert.Contains($"but {node.Address} answers at that port: the node's system name is palm (not pulm)", message);
    }

    [Fact]
    public async Task A_wrong_system_name_is_named_even_when_the_connect_timeout_is_shorter_than_the_look()
    {
        var message = await Refused(nodes.Plain.Address.Replace("://palm@", "://pulm@"), ConfigurationFactory.ParseString("palm.connect-timeout = 300ms"), NamedByAsking);
        Assert.Contains("the node's system name is palm (not pulm)", message);
    }

    [Fact]
    public async Task A_host_name_the_node_does_not_answer_to_is_named_with_the_one_it_does()
    {
        var message = await Refused(nodes.Plain.Address.Replace("@127.0.0.1:", "@localhost:"), within: NamedByAsking);
        Assert.Contains($"but {nodes.Plain.Address} answers at that port: the node answers only to 127.0.0.1", message);
        Assert.Contains("not to localhost", message);
    }

    [Fact]
    public async Task A_right_contact_still_connects()
    {
        await using var client = await PalmClient.ConnectAsync(nodes.Plain.Address).WaitAsync(Bound);
        await using var tlsClient = await PalmClient.ConnectAsync(nodes.Tls.Address, Certificates.Tls(Certificates.Pfx("client"))).WaitAsync(Bound);
        Assert.NotNull(client.Servers);
    }

    [Fact]
    public async Task RunAsync_turns_a_connect_failure_into_one_line_and_exit_code_4_without_running_the_work()
    {
        var error = new StringWriter();
        var ran = false;
        var code = await PalmClient.RunAsync($"akka.tcp://palm@127.0.0.1:{FreePort()}", _ =>
        {
            ran = true;
            return Task.CompletedTask;
        }, null, error, CancellationToken.None).WaitAsync(Bound);

        Assert.Equal(PalmExitCodes.Unreachable, code);
        Assert.False(ran);
        var line = Assert.Single(error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("palm: Cannot connect to akka.tcp://palm@127.0.0.1:", line);
        Assert.Contains("connection refused", line);
    }

    [Fact]
    public async Task RunAsync_runs_the_work_and_reports_a_failed_job_as_exit_code_1_in_one_line()
    {
        var error = new StringWriter();
        var ok = await PalmClient.RunAsync(nodes.Plain.Address, client => Task.FromResult(client.Servers), null, error, CancellationToken.None).WaitAsync(Bound);
        var failed = await PalmClient.RunAsync(nodes.Plain.Address, _ => throw new PalmJobFailedException("server x left the cluster"), null, error, CancellationToken.None)
            .WaitAsync(Bound);

        Assert.Equal(PalmExitCodes.Ok, ok);
        Assert.Equal(PalmExitCodes.Failure, failed);
        Assert.Equal("palm: server x left the cluster", error.ToString().Trim());
    }

    [Fact]
    public async Task RunAsync_reports_a_bug_in_the_programs_own_work_with_its_stack_trace_and_exit_code_1()
    {
        var error = new StringWriter();
        var code = await PalmClient.RunAsync(nodes.Plain.Address, _ => throw new InvalidOperationException("my bug"), null, error, CancellationToken.None)
            .WaitAsync(Bound);

        Assert.Equal(PalmExitCodes.Failure, code);
        var lines = error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("palm: InvalidOperationException: my bug", lines[0].Trim());
        Assert.Contains(lines, l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal));
    }
}
