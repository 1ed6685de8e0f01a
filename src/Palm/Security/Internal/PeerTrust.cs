using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Palm.Security.Internal;

/// <summary>
/// Decides whether a TLS peer's certificate is one of ours: it chains to a configured CA (and only to
/// it: the operating system's store is never consulted), or its own thumbprint is configured.
/// Used by Akka.Remote's TLS and by <see cref="PalmTls"/>'s stream handshakes alike.
/// </summary>
internal sealed class PeerTrust(IReadOnlyList<X509Certificate2> roots, IReadOnlyList<string> thumbprints)
{
    private readonly X509Certificate2[] _roots = roots.ToArray();
    private readonly HashSet<string> _thumbprints = new(thumbprints, StringComparer.OrdinalIgnoreCase);

    /// <summary>Null when <paramref name="certificate"/> is trusted; otherwise why not, for the log.</summary>
    /// <param name="certificate">What the peer presented (null: nothing).</param>
    /// <param name="presented">The chain TLS built against the OS store; only its intermediates are used.</param>
    public string? Check(X509Certificate? certificate, X509Chain? presented)
    {
        if (certificate is null) return "the peer presented no certificate";
        var peer = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        var now = DateTime.Now;
        if (now < peer.NotBefore || now > peer.NotAfter)
            return $"{Describe(peer)} is not valid now (valid from {peer.NotBefore:u} to {peer.NotAfter:u})";
        if (_thumbprints.Count > 0
            && (_thumbprints.Contains(peer.Thumbprint) || _thumbprints.Contains(peer.GetCertHashString(HashAlgorithmName.SHA256))))
            return null;
        if (_roots.Length == 0) return $"{Describe(peer)} is not among palm.tls.trusted-thumbprints";

        using var chain = new X509Chain();
        var policy = chain.ChainPolicy;
        policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        policy.CustomTrustStore.AddRange(_roots);
        // No revocation infrastructure is assumed (first deployments, tests, offline clusters).
        policy.RevocationMode = X509RevocationMode.NoCheck;
        policy.DisableCertificateDownloads = true;
        if (presented is not null)
        {
            // Intermediates the peer sent; they earn no trust of their own, the root must still be ours.
            foreach (var element in presented.ChainElements)
                if (!SameCertificate(element.Certificate, peer)) policy.ExtraStore.Add(element.Certificate);
            policy.ExtraStore.AddRange(presented.ChainPolicy.ExtraStore);
        }
        if (chain.Build(peer))
        {
            var root = chain.ChainElements[^1].Certificate;
            if (_roots.Any(r => SameCertificate(r, root))) return null;
        }
        var status = chain.ChainStatus.Length == 0
            ? "it does not end at the trusted CA"
            : string.Join("; ", chain.ChainStatus.Select(s => $"{s.Status}: {s.StatusInformation.Trim()}"));
        return $"{Describe(peer)} does not chain to palm.tls.trusted-ca ({status})";
    }

    /// <summary>Subject, issuer and thumbprint: enough to find the certificate an operator must replace.</summary>
    public static string Describe(X509Certificate2 certificate) =>
        $"certificate '{certificate.Subject}' issued by '{certificate.Issuer}' (thumbprint {certificate.Thumbprint})";

    private static bool SameCertificate(X509Certificate2 a, X509Certificate2 b) => a.RawDataMemory.Span.SequenceEqual(b.RawDataMemory.Span);
}
