using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Palm.Security.Internal;

namespace Palm.Security;

public static partial class PalmTls
{
    /// <summary>
    /// Runs the server side of a mutual TLS handshake on <paramref name="stream"/> (TLS 1.2 or 1.3): presents
    /// this side's certificate, requires the client's, and accepts it only under <paramref name="settings"/>'
    /// trust. Returns once both sides have accepted each other.
    /// </summary>
    /// <param name="stream">A connected stream (e.g. a <see cref="System.Net.Sockets.NetworkStream"/>); the returned stream owns it, and it is disposed if the handshake fails.</param>
    /// <param name="settings">Enabled TLS settings (<see cref="GetSettings"/>).</param>
    /// <param name="cancellationToken">Bounds the handshake (a peer that sends nothing must not hold it forever).</param>
    /// <exception cref="AuthenticationException">The client presented no certificate or an untrusted one (the message says which and why), or refused ours.</exception>
    /// <exception cref="IOException">The connection broke during the handshake.</exception>
    public static Task<SslStream> AuthenticateAsServerAsync(Stream stream, PalmTlsSettings settings, CancellationToken cancellationToken = default) =>
        TlsHandshake.ServerAsync(stream, settings, cancellationToken);

    /// <summary>
    /// Runs the client side of a mutual TLS handshake on <paramref name="stream"/> (TLS 1.2 or 1.3): presents
    /// this side's certificate and accepts the server's only under <paramref name="settings"/>' trust. Returns
    /// once the server has confirmed that it accepted this side's certificate too (with TLS 1.3 a client's
    /// handshake ends before the server has checked it).
    /// </summary>
    /// <param name="stream">A connected stream; the returned stream owns it, and it is disposed if the handshake fails.</param>
    /// <param name="settings">Enabled TLS settings (<see cref="GetSettings"/>).</param>
    /// <param name="targetHost">The server's host name or address (sent as SNI for names; not validated: trust is the CA's signature).</param>
    /// <param name="cancellationToken">Bounds the handshake.</param>
    /// <exception cref="AuthenticationException">The server's certificate is untrusted (the message says why), or the server refused ours.</exception>
    /// <exception cref="IOException">The connection broke during the handshake.</exception>
    public static Task<SslStream> AuthenticateAsClientAsync(Stream stream, PalmTlsSettings settings, string targetHost, CancellationToken cancellationToken = default) =>
        TlsHandshake.ClientAsync(stream, settings, targetHost, cancellationToken);

    /// <summary>The subject and thumbprint of the peer of an authenticated stream, for logs.</summary>
    /// <exception cref="InvalidOperationException">The stream has no authenticated peer certificate.</exception>
    public static PalmTlsPeer GetPeer(SslStream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var certificate = stream.RemoteCertificate ?? throw new InvalidOperationException("The TLS stream has no peer certificate.");
        var peer = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return new PalmTlsPeer(peer.Subject, peer.Thumbprint);
    }
}
