using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;
using Akka.Event;
using Akka.Remote.Transport.DotNetty;
using Palm.Configuration;
using Palm.Hosting;
using Palm.Security;
using Xunit;

namespace Palm.Tests.Security;

/// <summary>palm.tls: read once, refused at start when incomplete, and turned into Akka.Remote's mutual TLS.</summary>
public sealed class PalmTlsSettingsTests(TestCertificates certificates) : IClassFixture<TestCertificates>
{
    private static Config Hocon(string text) => ConfigurationFactory.ParseString(text);

    private static string Refusal(Config config) => Assert.Throws<ConfigurationException>(() => PalmTlsSettings.Create(config)).Message;

    [Fact]
    public void TLS_is_off_by_default_and_leaves_the_configuration_alone()
    {
        Assert.Same(PalmTlsSettings.Disabled, PalmTlsSettings.Create(PalmConfig.ClusterNode));
        Assert.True(PalmTls.RemoteConfig(PalmTlsSettings.Disabled).IsEmpty);
        var setup = PalmTls.CreateSetup(PalmConfig.ClusterNode);
        Assert.False(setup.Get<DotNettySslSetup>().HasValue);
        Assert.False(setup.Get<BootstrapSetup>().Value.Config.Value.GetBoolean("akka.remote.dot-netty.tcp.enable-ssl"));
    }

    [Fact]
    public void TLS_enabled_without_a_certificate_is_refused_naming_the_key()
    {
        Assert.Contains("palm.tls.certificate", Refusal(Hocon("palm.tls.enabled = on")));
    }

    [Fact]
    public void An_unreadable_certificate_is_refused_naming_the_key()
    {
        var missing = Path.Combine(certificates.Directory, "missing.pfx");
        Assert.Contains("palm.tls.certificate", Refusal(certificates.Tls(missing)));
        // A PEM file is not a PKCS#12 file.
        Assert.Contains("palm.tls.certificate", Refusal(certificates.Tls(certificates.Ours.CaCrt)));
        var withPassword = Path.Combine(certificates.Directory, "with-password.pfx");
        PalmCertificates.WritePfx(PalmCertificates.LoadPfx(certificates.Pfx("node-a")), withPassword, "right");
        var wrongPassword = Hocon("palm.tls.certificate-password = wrong").WithFallback(certificates.Tls(withPassword));
        Assert.Contains("palm.tls.certificate", Refusal(wrongPassword));
        var rightPassword = Hocon("palm.tls.certificate-password = right").WithFallback(certificates.Tls(withPassword));
        Assert.True(PalmTlsSettings.Create(rightPassword).Certificate!.HasPrivateKey);
    }

    [Fact]
    public void A_certificate_without_its_private_key_is_refused_naming_the_key()
    {
        var publicOnly = Path.Combine(certificates.Directory, "public-only.pfx");
        var certificate = X509CertificateLoader.LoadCertificate(PalmCertificates.LoadPfx(certificates.Pfx("node-a")).RawData);
        File.WriteAllBytes(publicOnly, certificate.Export(X509ContentType.Pkcs12));
        var message = Refusal(certificates.Tls(publicOnly));
        Assert.Contains("palm.tls.certificate", message);
        Assert.Contains("private key", message);
    }

    [Fact]
    public void Neither_a_trusted_CA_nor_trusted_thumbprints_is_refused_naming_both_keys()
    {
        var message = Refusal(Hocon("palm.tls.trusted-ca = \"\"").WithFallback(certificates.Tls(certificates.Pfx("node-a"))));
        Assert.Contains("palm.tls.trusted-ca", message);
        Assert.Contains("palm.tls.trusted-thumbprints", message);
        Assert.Contains("palm.tls.trusted-ca", Refusal(certificates.Tls(certificates.Pfx("node-a"), Path.Combine(certificates.Directory, "no-ca.crt"))));
        Assert.Contains("palm.tls.trusted-thumbprints", Refusal(Hocon("palm.tls.trusted-thumbprints = [\"not hex\"]").WithFallback(certificates.Tls(certificates.Pfx("node-a")))));
    }

    [Fact]
    public void A_complete_configuration_loads_the_certificate_the_CA_and_normalized_thumbprints()
    {
        var thumbprint = certificates.Ours.Certificates[1].Thumbprint;
        var copied = string.Join(":", thumbprint.ToLowerInvariant().Chunk(2).Select(c => new string(c)));
        var settings = PalmTlsSettings.Create(Hocon($"palm.tls.trusted-thumbprints = [\"{copied}\"]").WithFallback(certificates.Tls(certificates.Pfx("node-a"))));

        Assert.True(settings.Enabled);
        Assert.Equal("CN=node-a, OU=node, O=Palm", settings.Certificate!.Subject);
        Assert.True(settings.Certificate.HasPrivateKey);
        Assert.Equal(certificates.Ours.CaThumbprint, Assert.Single(settings.TrustedRoots).Thumbprint);
        Assert.Equal([thumbprint], settings.TrustedThumbprints);
        Assert.DoesNotContain("BEGIN", settings.ToString());
    }

    [Fact]
    public void The_setup_turns_on_Akka_Remote_mutual_TLS_with_a_validator_that_trusts_only_our_CA()
    {
        var setup = PalmTls.CreateSetup(certificates.Tls(certificates.Pfx("node-a")).WithFallback(PalmConfig.ClusterNode));

        var config = setup.Get<BootstrapSetup>().Value.Config.Value;
        Assert.True(config.GetBoolean("akka.remote.dot-netty.tcp.enable-ssl"));
        Assert.True(config.GetBoolean("akka.remote.dot-netty.tcp.ssl.require-mutual-authentication"));
        Assert.False(config.GetBoolean("akka.remote.dot-netty.tcp.ssl.validate-certificate-hostname"));
        var ssl = setup.Get<DotNettySslSetup>().Value;
        Assert.Equal("CN=node-a, OU=node, O=Palm", ssl.Certificate.Subject);
        Assert.True(ssl.RequireMutualAuthentication);
        Assert.False(ssl.SuppressValidation);

        // The errors SslStream reports against the OS store are replaced by our trust, on both sides alike.
        bool Accepts(X509Certificate2? peer) =>
            ssl.CustomValidator!(peer, null, "akka.ssl.tcp://palm@127.0.0.1:1", SslPolicyErrors.RemoteCertificateChainErrors, NoLogger.Instance);
        Assert.True(Accepts(PalmCertificates.LoadPfx(certificates.Pfx("node-b"))));
        Assert.True(Accepts(PalmCertificates.LoadPfx(certificates.Pfx("client"))));
        Assert.False(Accepts(PalmCertificates.LoadPfx(certificates.Pfx("stranger-node"))));
        Assert.False(Accepts(PalmCertificates.LoadPfx(certificates.SelfSignedPath)));
        Assert.False(Accepts(null));
    }

    [Fact]
    public void A_peer_is_trusted_by_its_SHA1_or_SHA256_thumbprint_and_refused_once_expired()
    {
        var selfSigned = PalmCertificates.LoadPfx(certificates.SelfSignedPath);
        var sha256 = selfSigned.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256);
        var bySha1 = PalmTlsSettings.FromCertificates(selfSigned, [], [selfSigned.Thumbprint]);
        var bySha256 = PalmTlsSettings.FromCertificates(selfSigned, [], [sha256]);
        Assert.Null(bySha1.Trust.Check(selfSigned, null));
        Assert.Null(bySha256.Trust.Check(selfSigned, null));
        Assert.Contains("trusted-thumbprints", bySha1.Trust.Check(PalmCertificates.LoadPfx(certificates.Pfx("node-a")), null));

        var ca = PalmCertificates.LoadPfx(certificates.Ours.CaPfx);
        var expired = PalmCertificates.CreateSigned(ca, "old", validity: TimeSpan.FromMinutes(-1));
        var trustingCa = PalmTlsSettings.FromCertificates(selfSigned, [ca]);
        Assert.Contains("not valid now", trustingCa.Trust.Check(expired, null));
        Assert.Throws<ArgumentException>(() => PalmTlsSettings.FromCertificates(selfSigned, []));
    }

    [Fact]
    public async Task An_actor_system_created_with_TLS_keeps_the_settings_it_was_created_with()
    {
        var config = certificates.Tls(certificates.Pfx("node-a")).WithFallback(Hocon("akka.actor.provider = local"));
        var system = PalmTls.CreateActorSystem("tls-settings", config);
        try
        {
            var settings = PalmTls.GetSettings(system);
            Assert.True(settings.Enabled);
            Assert.Same(settings, PalmTls.GetSettings(system));
            Assert.Equal("CN=node-a, OU=node, O=Palm", settings.Certificate!.Subject);
        }
        finally
        {
            await system.Terminate().WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    [Fact]
    public void A_TLS_seed_address_is_accepted_on_the_command_line()
    {
        var options = NodeOptions.Parse(["--seed", "akka.ssl.tcp://palm@10.0.0.1:4053"]);
        Assert.Equal(["akka.ssl.tcp://palm@10.0.0.1:4053"], options.Seeds);
        Assert.Throws<ArgumentException>(() => NodeOptions.Parse(["--seed", "akka.udp://palm@10.0.0.1:4053"]));
    }
}
