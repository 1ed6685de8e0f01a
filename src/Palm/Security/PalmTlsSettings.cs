using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Akka.Configuration;
using Palm.Configuration;
using Palm.Security.Internal;

namespace Palm.Security;

/// <summary>
/// Palm's mutual TLS settings, read from <c>palm.tls</c> (defaults and reasons in <c>hocon/reference.conf</c>),
/// with the certificate and the trusted CAs already loaded: <see cref="Create"/> reads the files once, and
/// refuses at start what could only fail later (no certificate, no private key, no trust).
/// </summary>
public sealed record PalmTlsSettings
{
    private readonly Lazy<SslStreamCertificateContext>? _context;

    private PalmTlsSettings(bool enabled, string certificatePath, X509Certificate2? certificate, string trustedCaPath,
        IReadOnlyList<X509Certificate2> trustedRoots, IReadOnlyList<string> trustedThumbprints)
    {
        Enabled = enabled;
        CertificatePath = certificatePath;
        Certificate = certificate;
        TrustedCaPath = trustedCaPath;
        TrustedRoots = trustedRoots;
        TrustedThumbprints = trustedThumbprints;
        Trust = new PeerTrust(trustedRoots, trustedThumbprints);
        // Built once: it holds the certificate's chain, which SslStream would otherwise rebuild per connection.
        if (certificate is not null)
            _context = new Lazy<SslStreamCertificateContext>(() => SslStreamCertificateContext.Create(certificate, additionalCertificates: null, offline: true));
    }

    /// <summary>TLS off: Palm's defaults.</summary>
    public static PalmTlsSettings Disabled { get; } = new(false, "", null, "", [], []);

    /// <summary>Whether every Akka.Remote connection (and, later, every data lane) runs mutual TLS.</summary>
    public bool Enabled { get; }

    /// <summary>The file <see cref="Certificate"/> was read from (<c>palm.tls.certificate</c>); empty when given in code.</summary>
    public string CertificatePath { get; }

    /// <summary>This node's or client's certificate, with its private key; null when TLS is off.</summary>
    public X509Certificate2? Certificate { get; }

    /// <summary>The file <see cref="TrustedRoots"/> were read from (<c>palm.tls.trusted-ca</c>); empty if none.</summary>
    public string TrustedCaPath { get; }

    /// <summary>The CAs a peer's certificate may chain to.</summary>
    public IReadOnlyList<X509Certificate2> TrustedRoots { get; }

    /// <summary>Thumbprints (SHA-1 or SHA-256, upper-case hex) of peer certificates accepted one by one.</summary>
    public IReadOnlyList<string> TrustedThumbprints { get; }

    /// <summary>The peer check shared by Akka.Remote and the stream handshakes.</summary>
    internal PeerTrust Trust { get; }

    /// <summary>The certificate as SslStream wants it; only when enabled.</summary>
    internal SslStreamCertificateContext CertificateContext =>
        _context?.Value ?? throw new InvalidOperationException("palm.tls is not enabled: there is no certificate.");

    /// <summary>Reads <c>palm.tls</c> from <paramref name="config"/> (over <see cref="PalmConfig.Reference"/>) and loads its files.</summary>
    /// <exception cref="ConfigurationException">TLS is enabled and a key is missing or its file unusable; the message names the key.</exception>
    public static PalmTlsSettings Create(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var tls = new SettingsReader(config, "palm.tls");
        if (!tls.Boolean("enabled")) return Disabled;

        // Every key first, then the files: a malformed value is named before a file it would have changed is read.
        var path = tls.String("certificate");
        var keyPath = tls.String("certificate-key");
        var password = tls.String("certificate-password");
        var caPath = tls.String("trusted-ca");
        var thumbprints = tls.StringList("trusted-thumbprints")
            .Select(t => NormalizeThumbprint(t) ?? throw new ConfigurationException(
                $"palm.tls.trusted-thumbprints: '{t}' is not a SHA-1 (40 hex digits) or SHA-256 (64 hex digits) thumbprint."))
            .ToArray();
        if (string.IsNullOrWhiteSpace(path))
            throw new ConfigurationException("palm.tls.certificate must be set when palm.tls.enabled = on: the path of this node's or client's "
                + "certificate (.pfx with its private key, or PEM with palm.tls.certificate-key). Create one with: palm certs --out <dir>");
        var certificate = LoadCertificate(path, keyPath, password);
        var roots = string.IsNullOrWhiteSpace(caPath) ? [] : LoadRoots(caPath);
        if (roots.Length == 0 && thumbprints.Length == 0)
            throw new ConfigurationException("palm.tls.trusted-ca or palm.tls.trusted-thumbprints must be set when palm.tls.enabled = on: "
                + "without them no peer could be trusted (the operating system's certificate store is never used).");
        return new PalmTlsSettings(true, path, certificate, caPath, roots, thumbprints);
    }

    /// <summary>Settings for certificates held in code (tests, certificates from a vault), with the same checks as <see cref="Create"/>.</summary>
    /// <param name="certificate">This side's certificate, with its private key.</param>
    /// <param name="trustedRoots">CAs a peer's certificate may chain to.</param>
    /// <param name="trustedThumbprints">Peer certificates accepted one by one (SHA-1 or SHA-256 hex).</param>
    /// <exception cref="ArgumentException">No private key, a malformed thumbprint, or no trust at all.</exception>
    public static PalmTlsSettings FromCertificates(X509Certificate2 certificate, IEnumerable<X509Certificate2> trustedRoots, IEnumerable<string>? trustedThumbprints = null)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(trustedRoots);
        if (!certificate.HasPrivateKey)
            throw new ArgumentException($"{PeerTrust.Describe(certificate)} has no private key.", nameof(certificate));
        var roots = trustedRoots.ToArray();
        var thumbprints = (trustedThumbprints ?? []).Select(t => NormalizeThumbprint(t)
            ?? throw new ArgumentException($"'{t}' is not a SHA-1 or SHA-256 thumbprint.", nameof(trustedThumbprints))).ToArray();
        if (roots.Length == 0 && thumbprints.Length == 0)
            throw new ArgumentException("Give a trusted CA or at least one trusted thumbprint.", nameof(trustedRoots));
        return new PalmTlsSettings(true, "", certificate, "", roots, thumbprints);
    }

    /// <summary>Upper-case hex without separators, or null if it is not 40 or 64 hex digits.</summary>
    internal static string? NormalizeThumbprint(string text)
    {
        // Copied thumbprints carry spaces, colons, and (from Windows dialogs) invisible direction marks.
        var kept = text.Where(c => c is not (' ' or ':' or '\u200E' or '\u200F' or '\uFEFF') && !char.IsControl(c)).ToArray();
        return kept.Length is 40 or 64 && kept.All(char.IsAsciiHexDigit) ? new string(kept).ToUpperInvariant() : null;
    }

    /// <summary>A PKCS#12 file, or a PEM certificate with its key in <paramref name="keyPath"/> (or in its own file when that is empty).</summary>
    private static X509Certificate2 LoadCertificate(string path, string keyPath, string password)
    {
        MustExist("palm.tls.certificate", path);
        var hasKeyFile = !string.IsNullOrWhiteSpace(keyPath);
        if (hasKeyFile) MustExist("palm.tls.certificate-key", keyPath);
        X509Certificate2 certificate;
        bool pem;
        try
        {
            pem = PalmCertificates.IsPem(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException($"palm.tls.certificate: cannot read '{path}': {e.Message}", e);
        }
        if (!pem && hasKeyFile)
            throw new ConfigurationException($"palm.tls.certificate-key = '{keyPath}' goes with a PEM certificate, but palm.tls.certificate = '{path}' "
                + "is not PEM (a .pfx holds its own key): remove palm.tls.certificate-key, or point palm.tls.certificate at the PEM certificate.");
        try
        {
            certificate = pem
                ? PalmCertificates.LoadPem(path, hasKeyFile ? keyPath : null, password)
                : X509CertificateLoader.LoadPkcs12FromFile(path, password, X509KeyStorageFlags.DefaultKeySet);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException(pem
                ? $"palm.tls.certificate: cannot read '{path}' as a PEM certificate with its private key in {(hasKeyFile ? $"palm.tls.certificate-key = '{keyPath}'" : "the same file (palm.tls.certificate-key is empty)")}"
                    + $" and palm.tls.certificate-password: {e.Message}"
                : $"palm.tls.certificate: cannot read '{path}' as a PKCS#12 (.pfx) file with palm.tls.certificate-password: {e.Message}", e);
        }
        if (!certificate.HasPrivateKey)
            throw new ConfigurationException($"palm.tls.certificate: '{path}' holds {PeerTrust.Describe(certificate)} without its private key; a node needs both.");
        return certificate;
    }

    private static X509Certificate2[] LoadRoots(string path)
    {
        MustExist("palm.tls.trusted-ca", path);
        try
        {
            var bytes = File.ReadAllBytes(path);
            if (Encoding.ASCII.GetString(bytes).Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
            {
                var collection = new X509Certificate2Collection();
                collection.ImportFromPem(Encoding.ASCII.GetString(bytes));
                return collection.ToArray();
            }
            return [X509CertificateLoader.LoadCertificate(bytes)];
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException($"palm.tls.trusted-ca: cannot read '{path}' as a certificate (PEM, DER or .crt): {e.Message}", e);
        }
    }

    /// <summary>
    /// Refuses a path with no file behind it by saying so: the loaders would report it as "Error occurred during a cryptographic
    /// operation", with the cause in an inner exception. A relative path is resolved against the current directory, which is
    /// where the process was started, not where the HOCON file lies: the message says which.
    /// </summary>
    private static void MustExist(string key, string path)
    {
        if (File.Exists(path)) return;
        var full = Path.GetFullPath(path);
        var relative = Path.IsPathFullyQualified(path) ? "" : $" (a relative path, resolved against the current directory {Directory.GetCurrentDirectory()})";
        var what = Directory.Exists(full) ? "is a directory, not a file" : "does not exist";
        throw new ConfigurationException($"{key} = '{path}': {full} {what}{relative}.");
    }

    /// <summary>Short, and never the certificate's key material or the password.</summary>
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append($"Enabled = {Enabled}");
        if (Certificate is not null) builder.Append($", Certificate = {Certificate.Subject} ({Certificate.Thumbprint})");
        if (TrustedRoots.Count > 0) builder.Append($", TrustedRoots = [{string.Join(", ", TrustedRoots.Select(r => r.Subject))}]");
        if (TrustedThumbprints.Count > 0) builder.Append($", TrustedThumbprints = [{string.Join(", ", TrustedThumbprints)}]");
        return true;
    }
}
