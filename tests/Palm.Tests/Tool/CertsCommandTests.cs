using System.Security.Cryptography.X509Certificates;
using Akka.Configuration;
using Palm.Hosting;
using Palm.Security;
using Palm.TestKit;
using Palm.Tests.Support;
using Palm.Tool;
using Xunit;

namespace Palm.Tests.Tool;

/// <summary><c>palm certs</c>: the files it writes in each format, and the settings it prints.</summary>
public sealed class CertsCommandTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "palm-certs-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    private string At(string name) => Path.Combine(_directory, name);

    [Fact]
    public void The_certs_command_writes_a_CA_and_the_pfx_files_asked_for_and_prints_the_settings()
    {
        var output = new StringWriter();
        var code = CertsCommand.Run(_directory, ["n1", "n2"], ["c1"], "Test CA", [], "secret", PalmCertificateFormat.Pfx, output, TextWriter.Null);

        Assert.Equal(PalmExitCodes.Ok, code);
        foreach (var file in new[] { "ca.pfx", "ca.crt", "n1.pfx", "n2.pfx", "c1.pfx" })
            Assert.True(File.Exists(At(file)), file);
        Assert.False(File.Exists(At("n1.key")));
        Assert.Equal("CN=Test CA, OU=ca, O=Palm", X509CertificateLoader.LoadCertificateFromFile(At("ca.crt")).Subject);
        Assert.True(PalmCertificates.LoadPfx(At("n2.pfx"), "secret").HasPrivateKey);
        Assert.Contains($"certificate = \"{At("n1.pfx")}\"", output.ToString());
        Assert.Contains("certificate-password = ", output.ToString());
        Assert.Contains($"trusted-ca = \"{At("ca.crt")}\"", output.ToString());
    }

    [Fact]
    public void In_pem_the_certs_command_writes_certificate_and_key_files_that_palm_tls_reads()
    {
        var output = new StringWriter();
        var code = CertsCommand.Run(_directory, [], [], "Palm CA", [], "", PalmCertificateFormat.Pem, output, TextWriter.Null);

        Assert.Equal(PalmExitCodes.Ok, code);
        foreach (var file in new[] { "ca.crt", "ca.key", "node.crt", "node.key", "client.crt", "client.key" })
            Assert.True(File.Exists(At(file)), file);
        Assert.False(File.Exists(At("node.pfx")));
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", File.ReadAllText(At("node.key")));
        Assert.Contains($"certificate-key = \"{At("node.key")}\"", output.ToString());
        var settings = PalmTlsSettings.Create(ConfigurationFactory.ParseString($$"""
            palm.tls { enabled = on, certificate = "{{At("node.crt")}}", certificate-key = "{{At("node.key")}}", trusted-ca = "{{At("ca.crt")}}" }
            """));
        Assert.Equal("CN=node, OU=node, O=Palm", settings.Certificate!.Subject);
        Assert.True(settings.Certificate.HasPrivateKey);
    }

    [Fact]
    public void A_name_that_cannot_name_a_file_is_one_line_and_exit_2()
    {
        var error = new StringWriter();
        Assert.Equal(PalmExitCodes.Configuration, CertsCommand.Run(_directory, ["../escape"], [], "Palm CA", [], "", PalmCertificateFormat.Pfx, TextWriter.Null, error));
        Assert.Equal("palm: '../escape' cannot name a certificate file.", error.ToString().Trim());
    }
}

/// <summary>Certificates written by the palm tool (a process), in both formats, admit a TLS node and client: PEM on the seed and client, PKCS#12 on the server.</summary>
[Trait(TestCategories.Category, TestCategories.Process)]
public sealed class CertsProcessTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("palm-tool-certs-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string At(string name) => Path.Combine(_directory, name);

    private Config Tls(string certificate, string? key = null) => ConfigurationFactory.ParseString($$"""
        palm.tls {
          enabled = on
          certificate = "{{At(certificate)}}"
          certificate-key = "{{(key is null ? "" : At(key))}}"
          trusted-ca = "{{At("ca.crt")}}"
        }
        """);

    [Fact]
    public async Task Pem_and_pfx_files_from_palm_certs_admit_a_tls_node_and_client_that_run_a_job()
    {
        var (code, output, errors) = await PalmToolProcessTests.Palm("certs", "--out", _directory, "--format", "both", "--node", "seed", "--node", "server", "--client", "client");
        Assert.True(code == PalmExitCodes.Ok, errors);
        Assert.Contains("palm: node certificate", output);

        await using var cluster = await PalmTestCluster.StartAsync(Tls("seed.crt", "seed.key"));
        var server = await cluster.StartNodeAsync(Tls("server.pfx"));
        await server.StartServerAsync(new SuffixServer(), "x");
        await cluster.Seed.WaitForServersAsync(["x"], TimeSpan.FromSeconds(30));
        var client = await cluster.ConnectClientAsync(Tls("client.crt", "client.key"));
        await client.WaitForServersAsync(["x"], TimeSpan.FromSeconds(30));

        Assert.StartsWith("akka.ssl.tcp://", cluster.Seed.Address);
        var results = new List<string>();
        await foreach (var r in client.RunJob(["x.tag"], Enumerable.Range(0, 50).Select(i => Text.Bytes($"m{i}"))).WithTimeout(TimeSpan.FromSeconds(60)))
            results.Add(Text.Of(r.Payload));
        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"m{i}>x").Order(), results.Order());
    }
}
