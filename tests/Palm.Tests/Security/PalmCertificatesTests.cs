using System.Net;
using System.Security.Cryptography.X509Certificates;
using Palm.Demo;
using Palm.Security;
using Xunit;

namespace Palm.Tests.Security;

/// <summary>The certificate command: a CA and the certificates it signs, made with .NET alone.</summary>
public sealed class PalmCertificatesTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "palm-certs-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    private static bool ChainsTo(X509Certificate2 certificate, X509Certificate2 ca)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    [Fact]
    public void A_node_certificate_chains_to_its_CA_with_its_private_key_hosts_and_both_TLS_uses()
    {
        var files = PalmCertificates.CreateFiles(_directory, ["node-a"], [], hosts: ["127.0.0.1", "localhost", "palm-1.example"]);

        Assert.True(files.CaCreated);
        var ca = X509CertificateLoader.LoadCertificateFromFile(files.CaCrt);
        Assert.False(ca.HasPrivateKey);
        Assert.True(ca.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        Assert.True(PalmCertificates.LoadPfx(files.CaPfx).HasPrivateKey);

        var node = PalmCertificates.LoadPfx(files.Certificates.Single().Path);
        Assert.True(node.HasPrivateKey);
        Assert.Equal("CN=node-a, OU=node, O=Palm", node.Subject);
        Assert.Equal(files.Certificates.Single().Thumbprint, node.Thumbprint);
        Assert.True(ChainsTo(node, ca));
        Assert.False(node.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        var usages = node.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>().Select(o => o.Value);
        Assert.Equal(["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"], usages.Order());
        var san = node.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Equal([IPAddress.Loopback], san.EnumerateIPAddresses());
        Assert.Equal(["localhost", "palm-1.example"], san.EnumerateDnsNames().Order());
    }

    [Fact]
    public void An_existing_CA_signs_the_certificates_added_later_instead_of_being_replaced()
    {
        var first = PalmCertificates.CreateFiles(_directory, ["node-a"], []);
        var second = PalmCertificates.CreateFiles(_directory, ["node-b"], ["client"]);

        Assert.False(second.CaCreated);
        Assert.Equal(first.CaThumbprint, second.CaThumbprint);
        var ca = X509CertificateLoader.LoadCertificateFromFile(second.CaCrt);
        Assert.All(second.Certificates, c => Assert.True(ChainsTo(PalmCertificates.LoadPfx(c.Path), ca)));
        Assert.Equal("CN=client, OU=client, O=Palm", PalmCertificates.LoadPfx(second.Certificates[1].Path).Subject);
        Assert.True(ChainsTo(PalmCertificates.LoadPfx(first.Certificates[0].Path), ca));
    }

    [Fact]
    public void A_certificate_signed_by_another_CA_does_not_chain_to_ours()
    {
        var ours = PalmCertificates.CreateCa("Ours");
        var theirs = PalmCertificates.CreateCa("Theirs");
        Assert.False(ChainsTo(PalmCertificates.CreateSigned(theirs, "stranger"), ours));
        Assert.True(ChainsTo(PalmCertificates.CreateSigned(ours, "member"), ours));
    }

    [Fact]
    public void Names_that_are_not_plain_file_names_are_refused_before_anything_is_written()
    {
        Assert.Throws<ArgumentException>(() => PalmCertificates.CreateFiles(_directory, ["../escape"], []));
        Assert.Throws<ArgumentException>(() => PalmCertificates.CreateFiles(_directory, ["ca"], []));
        Assert.Throws<ArgumentException>(() => PalmCertificates.CreateFiles(_directory, ["twice"], ["twice"]));
        Assert.False(Directory.Exists(_directory));
    }

    [Fact]
    public async Task The_demo_points_to_the_palm_tool_for_certificates()
    {
        Assert.Equal(2, await DemoProgram.MainAsync(["certs", "--out", _directory]));
        Assert.False(Directory.Exists(_directory));
    }
}
