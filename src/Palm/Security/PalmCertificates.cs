using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Palm.Security;

/// <summary>
/// Creates what <c>palm.tls</c> needs for tests and first deployments, with .NET alone: a CA, and node and
/// client certificates it signs (ECDSA P-256, usable for TLS server and client authentication, with the
/// host names and addresses peers reach them at), as PKCS#12 or PEM files. The command line:
/// <c>palm certs --out DIR [--node NAME]... [--client NAME]... [--format pfx|pem|both]</c> (the <c>palm</c> tool,
/// <c>dotnet tool install Palm.Tool</c>).
/// </summary>
public static class PalmCertificates
{
    /// <summary>What a certificate is valid for when nobody says: 127.0.0.1, ::1 and localhost.</summary>
    public static IReadOnlyList<string> LoopbackHosts { get; } = ["127.0.0.1", "::1", "localhost"];

    private const string ServerAuth = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuth = "1.3.6.1.5.5.7.3.2";

    /// <summary>Creates a self-signed CA (with its private key) that signs certificates for <paramref name="validity"/> (default 10 years).</summary>
    /// <param name="name">The CA's common name, e.g. <c>Palm CA</c>.</param>
    /// <param name="validity">How long the CA is valid.</param>
    public static X509Certificate2 CreateCa(string name, TimeSpan? validity = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(Subject(name, "ca"), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddMinutes(-5), now + (validity ?? TimeSpan.FromDays(3650)));
    }

    /// <summary>
    /// Creates a certificate for a node or client, signed by <paramref name="ca"/>, with its private key:
    /// usable for TLS server and client authentication (a Palm node and a Palm client both accept connections).
    /// </summary>
    /// <param name="ca">The signing CA, with its private key (<see cref="CreateCa"/> or <see cref="LoadPfx"/>).</param>
    /// <param name="name">The common name, e.g. <c>node-a</c>; peers log it.</param>
    /// <param name="hosts">Host names and IP addresses for the subject alternative names; default <see cref="LoopbackHosts"/>.</param>
    /// <param name="validity">How long it is valid (default 2 years, never past the CA).</param>
    /// <param name="role">Written into the subject's OU (<c>node</c> or <c>client</c>), for logs only.</param>
    /// <exception cref="ArgumentException">The CA has no private key, or a host is empty.</exception>
    public static X509Certificate2 CreateSigned(X509Certificate2 ca, string name, IEnumerable<string>? hosts = null, TimeSpan? validity = null, string role = "node")
    {
        ArgumentNullException.ThrowIfNull(ca);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (!ca.HasPrivateKey) throw new ArgumentException($"The CA '{ca.Subject}' has no private key to sign with.", nameof(ca));
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(Subject(name, role), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(ServerAuth), new Oid(ClientAuth)], critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        var san = new SubjectAlternativeNameBuilder();
        foreach (var host in hosts ?? LoopbackHosts)
        {
            if (string.IsNullOrWhiteSpace(host)) throw new ArgumentException("A host name or address is empty.", nameof(hosts));
            if (IPAddress.TryParse(host.Trim('[', ']'), out var address)) san.AddIpAddress(address);
            else san.AddDnsName(host);
        }
        request.CertificateExtensions.Add(san.Build());

        var now = DateTimeOffset.UtcNow;
        var notBefore = now.AddMinutes(-5);
        var notAfter = now + (validity ?? TimeSpan.FromDays(730));
        if (notBefore < ca.NotBefore.ToUniversalTime()) notBefore = ca.NotBefore.ToUniversalTime();
        if (notAfter > ca.NotAfter.ToUniversalTime()) notAfter = ca.NotAfter.ToUniversalTime();
        using var signed = request.Create(ca, notBefore, notAfter, RandomNumberGenerator.GetBytes(16));
        return signed.CopyWithPrivateKey(key);
    }

    /// <summary>Writes <paramref name="certificate"/> with its private key as a PKCS#12 file (AES-256), readable by its owner only on Unix.</summary>
    public static void WritePfx(X509Certificate2 certificate, string path, string password = "")
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(password);
        var bytes = certificate.ExportPkcs12(Pkcs12ExportPbeParameters.Pbes2Aes256Sha256, password);
        WriteFile(path, bytes, secret: true);
    }

    /// <summary>Writes the public part of <paramref name="certificate"/> as PEM: what <c>palm.tls.trusted-ca</c> reads.</summary>
    public static void WriteCrt(X509Certificate2 certificate, string path)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        WriteFile(path, System.Text.Encoding.ASCII.GetBytes(certificate.ExportCertificatePem() + "\n"), secret: false);
    }

    /// <summary>Reads a PKCS#12 file written by <see cref="WritePfx"/> (or any .pfx), with its private key.</summary>
    public static X509Certificate2 LoadPfx(string path, string password = "") =>
        X509CertificateLoader.LoadPkcs12FromFile(path, password, X509KeyStorageFlags.DefaultKeySet);

    /// <summary>
    /// Writes <paramref name="certificate"/> as PEM: the certificate to <paramref name="certificatePath"/> and its private
    /// key (PKCS#8, encrypted with AES-256 when <paramref name="password"/> is not empty) to <paramref name="keyPath"/>,
    /// readable by its owner only on Unix: the files cert-manager, Vault and Kubernetes secrets hand out (<c>tls.crt</c>, <c>tls.key</c>).
    /// </summary>
    /// <exception cref="ArgumentException">The certificate has no private key, or one of neither ECDSA nor RSA.</exception>
    public static void WritePem(X509Certificate2 certificate, string certificatePath, string keyPath, string password = "")
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(password);
        using AsymmetricAlgorithm key = (AsymmetricAlgorithm?)certificate.GetECDsaPrivateKey() ?? certificate.GetRSAPrivateKey()
            ?? throw new ArgumentException($"'{certificate.Subject}' has no ECDSA or RSA private key to write.", nameof(certificate));
        var pem = password.Length == 0
            ? key.ExportPkcs8PrivateKeyPem()
            : key.ExportEncryptedPkcs8PrivateKeyPem(password, new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 100_000));
        WriteCrt(certificate, certificatePath);
        WriteFile(keyPath, System.Text.Encoding.ASCII.GetBytes(pem + "\n"), secret: true);
    }

    /// <summary>
    /// Reads a PEM certificate and its private key: from <paramref name="keyPath"/>, or when null from the certificate's
    /// own file (one file holding both). An encrypted key (<c>ENCRYPTED PRIVATE KEY</c>) needs <paramref name="password"/>.
    /// </summary>
    /// <exception cref="CryptographicException">The files hold no certificate, no matching key, or the password is wrong.</exception>
    public static X509Certificate2 LoadPem(string certificatePath, string? keyPath = null, string password = "")
    {
        ArgumentNullException.ThrowIfNull(password);
        using var pem = password.Length == 0
            ? X509Certificate2.CreateFromPemFile(certificatePath, keyPath)
            : X509Certificate2.CreateFromEncryptedPemFile(certificatePath, password, keyPath);
        // A key read from PEM is ephemeral: Windows' TLS (SChannel) cannot use one. Through PKCS#12 it is a key like a .pfx's.
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null, X509KeyStorageFlags.DefaultKeySet);
    }

    /// <summary>Whether the file at <paramref name="path"/> is PEM text (it has a <c>-----BEGIN</c> line) rather than PKCS#12 or DER.</summary>
    public static bool IsPem(string path)
    {
        var bytes = File.ReadAllBytes(path);
        return System.Text.Encoding.ASCII.GetString(bytes).Contains("-----BEGIN ", StringComparison.Ordinal);
    }

    /// <summary>
    /// Creates a set of files in <paramref name="directory"/>: <c>ca.pfx</c> (keep it secret: it signs new
    /// members) and <c>ca.crt</c> (every node's <c>palm.tls.trusted-ca</c>), unless a CA is already there
    /// (<c>ca.pfx</c>, or <c>ca.crt</c> with <c>ca.key</c>), in which case that CA signs; and for every node and
    /// client <c>NAME.pfx</c> (<see cref="PalmCertificateFormat.Pfx"/>), <c>NAME.crt</c> and <c>NAME.key</c>
    /// (<see cref="PalmCertificateFormat.Pem"/>, which also writes <c>ca.key</c>), or all three.
    /// </summary>
    /// <exception cref="ArgumentException">A name is not a plain file name, or appears twice.</exception>
    public static PalmCertificateFiles CreateFiles(string directory, IEnumerable<string> nodes, IEnumerable<string> clients,
        string caName = "Palm CA", IEnumerable<string>? hosts = null, string password = "", PalmCertificateFormat format = PalmCertificateFormat.Pfx)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var requested = nodes.Select(n => (Name: n, Role: "node")).Concat(clients.Select(c => (Name: c, Role: "client"))).ToArray();
        foreach (var (name, _) in requested)
            if (string.IsNullOrWhiteSpace(name) || name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || name is "ca" or "." or "..")
                throw new ArgumentException($"'{name}' cannot name a certificate file.");
        var twice = requested.GroupBy(r => r.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (twice is not null) throw new ArgumentException($"'{twice.Key}' is asked for twice.");
        var hostList = (hosts ?? LoopbackHosts).ToArray();

        Directory.CreateDirectory(directory);
        var caPfx = Path.Combine(directory, "ca.pfx");
        var caCrt = Path.Combine(directory, "ca.crt");
        var caKey = Path.Combine(directory, "ca.key");
        var pfx = format is PalmCertificateFormat.Pfx or PalmCertificateFormat.Both;
        var pem = format is PalmCertificateFormat.Pem or PalmCertificateFormat.Both;
        var caCreated = !File.Exists(caPfx) && !(File.Exists(caCrt) && File.Exists(caKey));
        using var ca = caCreated ? CreateCa(caName) : File.Exists(caPfx) ? LoadPfx(caPfx, password) : LoadPem(caCrt, caKey, password);
        // ca.pfx always: it is where the next run finds the CA to sign with, whatever format the members get.
        if (!File.Exists(caPfx)) WritePfx(ca, caPfx, password);
        if (pem && !File.Exists(caKey)) WritePem(ca, caCrt, caKey, password);
        WriteCrt(ca, caCrt);

        var written = new List<PalmCertificateFile>();
        foreach (var (name, role) in requested)
        {
            using var certificate = CreateSigned(ca, name, hostList, role: role);
            var pfxPath = Path.Combine(directory, name + ".pfx");
            var crtPath = Path.Combine(directory, name + ".crt");
            var keyPath = Path.Combine(directory, name + ".key");
            if (pfx) WritePfx(certificate, pfxPath, password);
            if (pem) WritePem(certificate, crtPath, keyPath, password);
            written.Add(new PalmCertificateFile(name, role, pfx ? pfxPath : crtPath, certificate.Thumbprint)
            {
                PemPath = pem ? crtPath : null,
                KeyPath = pem ? keyPath : null,
            });
        }
        return new PalmCertificateFiles(caPfx, caCrt, caCreated, ca.Thumbprint, written) { CaKey = pem ? caKey : null };
    }

    private static X500DistinguishedName Subject(string name, string role)
    {
        // Added most specific first: the builder encodes in reverse, so the subject reads CN=name, OU=role, O=Palm.
        var builder = new X500DistinguishedNameBuilder();
        builder.AddCommonName(name);
        builder.AddOrganizationalUnitName(role);
        builder.AddOrganizationName("Palm");
        return builder.Build();
    }

    private static void WriteFile(string path, byte[] bytes, bool secret)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null) Directory.CreateDirectory(directory);
        File.WriteAllBytes(path, bytes);
        if (secret && !OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }
}

/// <summary>The files <see cref="PalmCertificates.CreateFiles"/> wrote.</summary>
/// <param name="CaPfx">The CA with its private key: keep it off the nodes, it signs new members.</param>
/// <param name="CaCrt">The CA's public certificate (PEM): every node's and client's <c>palm.tls.trusted-ca</c>.</param>
/// <param name="CaCreated">False when an existing <c>ca.pfx</c> signed the new certificates.</param>
/// <param name="CaThumbprint">The CA's SHA-1 thumbprint.</param>
/// <param name="Certificates">The node and client certificates, in the order asked.</param>
public sealed record PalmCertificateFiles(string CaPfx, string CaCrt, bool CaCreated, string CaThumbprint, IReadOnlyList<PalmCertificateFile> Certificates)
{
    /// <summary>The CA's private key as PEM (<c>ca.key</c>, beside <see cref="CaCrt"/>), when PEM files were asked for; keep it secret too.</summary>
    public string? CaKey { get; init; }
}

/// <summary>One node or client certificate <see cref="PalmCertificates.CreateFiles"/> wrote.</summary>
/// <param name="Name">Its common name.</param>
/// <param name="Role"><c>node</c> or <c>client</c>.</param>
/// <param name="Path">The node's <c>palm.tls.certificate</c>: the .pfx file, with the private key, or the PEM
/// certificate (<see cref="PemPath"/>) when only PEM was written.</param>
/// <param name="Thumbprint">Its SHA-1 thumbprint (for <c>palm.tls.trusted-thumbprints</c>).</param>
public sealed record PalmCertificateFile(string Name, string Role, string Path, string Thumbprint)
{
    /// <summary>The PEM certificate (<c>NAME.crt</c>), when PEM files were asked for: a <c>palm.tls.certificate</c> too.</summary>
    public string? PemPath { get; init; }

    /// <summary>The PEM private key (<c>NAME.key</c>) that goes with <see cref="PemPath"/>: <c>palm.tls.certificate-key</c>.</summary>
    public string? KeyPath { get; init; }
}

/// <summary>The files <see cref="PalmCertificates.CreateFiles"/> writes for each node and client.</summary>
public enum PalmCertificateFormat
{
    /// <summary><c>NAME.pfx</c>: PKCS#12, certificate and private key in one file.</summary>
    Pfx,

    /// <summary><c>NAME.crt</c> and <c>NAME.key</c>: PEM, as cert-manager, Vault and Kubernetes secrets hold them.</summary>
    Pem,

    /// <summary>Both.</summary>
    Both,
}
