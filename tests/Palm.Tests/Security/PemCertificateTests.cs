using Akka.Configuration;
using Palm.Security;
using Xunit;

namespace Palm.Tests.Security;

/// <summary>palm.tls reads PEM certificates and keys (palm.tls.certificate-key), as cert-manager, Vault and Kubernetes secrets hold them.</summary>
public sealed class PemCertificateTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("palm-pem-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string At(string name) => Path.Combine(_directory, name);

    private PalmTlsSettings Read(string certificate, string key = "", string password = "") => PalmTlsSettings.Create(ConfigurationFactory.ParseString($$"""
        palm.tls {
          enabled = on
          certificate = "{{certificate}}"
          certificate-key = "{{key}}"
          certificate-password = "{{password}}"
          trusted-ca = "{{At("ca.crt")}}"
        }
        """));

    [Fact]
    public void An_encrypted_pem_key_is_read_with_the_certificate_password()
    {
        var files = PalmCertificates.CreateFiles(_directory, ["n"], [], password: "secret", format: PalmCertificateFormat.Pem);
        Assert.StartsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----", File.ReadAllText(At("n.key")));

        var settings = Read(At("n.crt"), At("n.key"), "secret");
        Assert.Equal(files.Certificates[0].Thumbprint, settings.Certificate!.Thumbprint);
        Assert.True(settings.Certificate.HasPrivateKey);

        var e = Assert.Throws<ConfigurationException>(() => Read(At("n.crt"), At("n.key"), "wrong"));
        Assert.StartsWith($"palm.tls.certificate: cannot read '{At("n.crt")}' as a PEM certificate with its private key in palm.tls.certificate-key = '{At("n.key")}'", e.Message);
    }

    [Fact]
    public void A_pem_file_holding_certificate_and_key_together_needs_no_key_setting()
    {
        PalmCertificates.CreateFiles(_directory, ["n"], [], format: PalmCertificateFormat.Pem);
        File.WriteAllText(At("both.pem"), File.ReadAllText(At("n.crt")) + File.ReadAllText(At("n.key")));

        Assert.True(Read(At("both.pem")).Certificate!.HasPrivateKey);
        var e = Assert.Throws<ConfigurationException>(() => Read(At("n.crt")));
        Assert.Contains("the same file (palm.tls.certificate-key is empty)", e.Message);
    }

    [Fact]
    public void A_key_file_beside_a_pfx_or_a_key_file_that_is_missing_is_refused_naming_the_key()
    {
        PalmCertificates.CreateFiles(_directory, ["n"], [], format: PalmCertificateFormat.Both);

        var beside = Assert.Throws<ConfigurationException>(() => Read(At("n.pfx"), At("n.key")));
        Assert.StartsWith($"palm.tls.certificate-key = '{At("n.key")}' goes with a PEM certificate, but palm.tls.certificate = '{At("n.pfx")}' is not PEM", beside.Message);
        var missing = Assert.Throws<ConfigurationException>(() => Read(At("n.crt"), At("nothing.key")));
        Assert.StartsWith($"palm.tls.certificate-key = '{At("nothing.key")}': ", missing.Message);
        Assert.Contains("does not exist", missing.Message);
    }

    [Fact]
    public void A_pem_CA_with_its_key_signs_later_certificates_when_there_is_no_pfx()
    {
        var first = PalmCertificates.CreateFiles(_directory, ["a"], [], format: PalmCertificateFormat.Pem);
        File.Delete(first.CaPfx);

        var second = PalmCertificates.CreateFiles(_directory, ["b"], [], format: PalmCertificateFormat.Pem);
        Assert.False(second.CaCreated);
        Assert.Equal(first.CaThumbprint, second.CaThumbprint);
        Assert.True(Read(At("b.crt"), At("b.key")).Certificate!.HasPrivateKey);
    }
}
