using Akka.Configuration;
using Palm.Security;
using Xunit;

namespace Palm.Tests.Security;

/// <summary>A certificate path with no file behind it says so, with the directory a relative path was resolved against, not "Error occurred during a cryptographic operation".</summary>
public sealed class CertificatePathTests
{
    private static string Refused(string hocon) => Refused(ConfigurationFactory.ParseString(hocon));

    private static string Refused(Config config) => Assert.Throws<ConfigurationException>(() => PalmTlsSettings.Create(config)).Message;

    [Fact]
    public void A_relative_certificate_path_that_does_not_exist_names_the_key_the_path_and_the_current_directory()
    {
        var cwd = Directory.GetCurrentDirectory();
        Assert.Equal(
            $"palm.tls.certificate = 'certs/no-such-node.pfx': {Path.Combine(cwd, "certs/no-such-node.pfx")} does not exist "
            + $"(a relative path, resolved against the current directory {cwd}).",
            Refused("palm.tls { enabled = on, certificate = \"certs/no-such-node.pfx\", trusted-ca = \"ca.crt\" }"));
    }

    [Fact]
    public void An_absolute_trusted_ca_path_that_does_not_exist_names_the_key_and_the_path()
    {
        using var certificates = new TestCertificates();
        var missing = Path.Combine(certificates.Directory, "no-such-dir", "ca.crt");
        Assert.Equal($"palm.tls.trusted-ca = '{missing}': {missing} does not exist.", Refused(certificates.Tls(certificates.Pfx("node-a"), missing)));
    }

    [Fact]
    public void A_directory_given_as_the_certificate_is_named_as_a_directory() =>
        Assert.Contains("is a directory, not a file",
            Refused($"palm.tls {{ enabled = on, certificate = \"{Path.GetTempPath()}\", trusted-ca = \"ca.crt\" }}"));
}
