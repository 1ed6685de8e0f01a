using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Configuration;
using Palm.Security;

namespace Palm.Tests.Security;

/// <summary>
/// Certificates for the TLS tests, made once per test class with <see cref="PalmCertificates"/>: the cluster's
/// CA signing node-a, node-b and client; another CA signing stranger-node and stranger-client; and a
/// self-signed certificate. Deleted with the fixture.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    public TestCertificates()
    {
        Directory = Path.Combine(Path.GetTempPath(), "palm-tls-" + Guid.NewGuid().ToString("N"));
        Ours = PalmCertificates.CreateFiles(Path.Combine(Directory, "ours"), ["node-a", "node-b"], ["client"], "Palm Test CA");
        Theirs = PalmCertificates.CreateFiles(Path.Combine(Directory, "theirs"), ["stranger-node"], ["stranger-client"], "Other CA");
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=self-signed", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        var sanBuilder = new SubjectAlternativeNameBuilder();
        sanBuilder.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(sanBuilder.Build());
        using var selfSigned = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        SelfSignedPath = Path.Combine(Directory, "self-signed.pfx");
        PalmCertificates.WritePfx(selfSigned, SelfSignedPath);
    }

    public string Directory { get; }

    /// <summary>The cluster's CA and its certificates.</summary>
    public PalmCertificateFiles Ours { get; }

    /// <summary>Another CA and its certificates: strangers to the cluster.</summary>
    public PalmCertificateFiles Theirs { get; }

    public string SelfSignedPath { get; }

    /// <summary>The .pfx of <paramref name="name"/> (of either CA).</summary>
    public string Pfx(string name) => Ours.Certificates.Concat(Theirs.Certificates).Single(c => c.Name == name).Path;

    /// <summary><c>palm.tls</c> on, with <paramref name="certificatePath"/>, trusting <paramref name="caPath"/> (default: the cluster's CA).</summary>
    public Config Tls(string certificatePath, string? caPath = null) => ConfigurationFactory.ParseString($$"""
        palm.tls {
          enabled = on
          certificate = "{{Escape(certificatePath)}}"
          trusted-ca = "{{Escape(caPath ?? Ours.CaCrt)}}"
        }
        """);

    /// <summary>Settings for the node or client <paramref name="name"/>, trusting the cluster's CA.</summary>
    public PalmTlsSettings Settings(string name) => PalmTlsSettings.Create(Tls(Pfx(name)));

    public static string Escape(string path) => path.Replace("\\", "\\\\");

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still open by a terminating actor system; the temp folder is cleaned by the OS.
        }
    }
}
