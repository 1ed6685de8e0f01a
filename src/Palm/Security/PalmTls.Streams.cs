using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Palm.Security;

public static partial class PalmTls
{
    internal const SslProtocols Protocols = SslProtocols.Tls12 | SslProtocols.Tls13;

    /// <summary>
    /// The byte each side sends right after the handshake, "I accept your certificate": the TLS handshake alone does not
    /// tell either side that its peer accepted it (docs/internals.md#tlshandshake).
    /// </summary>
    private const byte Accepted = 0x50;

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
        AuthenticateAsync(stream, settings, client: false, null, cancellationToken);

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
        AuthenticateAsync(stream, settings, client: true, targetHost, cancellationToken);

    /// <summary>The subject and thumbprint of the peer of an authenticated stream, for logs.</summary>
    /// <exception cref="InvalidOperationException">The stream has no authenticated peer certificate.</exception>
    public static PalmTlsPeer GetPeer(SslStream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var certificate = stream.RemoteCertificate ?? throw new InvalidOperationException("The TLS stream has no peer certificate.");
        var peer = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return new PalmTlsPeer(peer.Subject, peer.Thumbprint);
    }

    /// <summary>One side of the mutual TLS handshake, then the exchange of <see cref="Accepted"/>.</summary>
    private static async Task<SslStream> AuthenticateAsync(Stream stream, PalmTlsSettings settings, bool client, string? targetHost, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (client) ArgumentException.ThrowIfNullOrEmpty(targetHost);
        ArgumentNullException.ThrowIfNull(settings);
        if (!settings.Enabled) throw new InvalidOperationException("palm.tls is not enabled: there is no certificate to authenticate with.");
        string? refusal = null;
        RemoteCertificateValidationCallback validate = (_, certificate, chain, _) => (refusal = settings.Trust.Check(certificate, chain)) is null;
        var (peer, self) = client ? ($"the server {targetHost}", "this client") : ("the client", "this server");
        var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
        try
        {
            try
            {
                if (client)
                {
                    await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                    {
                        TargetHost = targetHost,
                        ClientCertificateContext = settings.CertificateContext,
                        EnabledSslProtocols = Protocols,
                        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                        RemoteCertificateValidationCallback = validate,
                    }, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                    {
                        ServerCertificateContext = settings.CertificateContext,
                        ClientCertificateRequired = true,
                        EnabledSslProtocols = Protocols,
                        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                        RemoteCertificateValidationCallback = validate,
                    }, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (AuthenticationException e) when (refusal is not null)
            {
                throw new AuthenticationException($"TLS: refused {peer}: {refusal}.", e);
            }
            // The client speaks first (docs/internals.md#tlshandshake).
            if (!client) await ReadAcceptance(ssl, peer, self, cancellationToken).ConfigureAwait(false);
            await ssl.WriteAsync(new[] { Accepted }, cancellationToken).ConfigureAwait(false);
            await ssl.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (client) await ReadAcceptance(ssl, peer, self, cancellationToken).ConfigureAwait(false);
            return ssl;
        }
        catch
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Reads the peer's <see cref="Accepted"/>; anything else means it refused this side's certificate.</summary>
    private static async Task ReadAcceptance(SslStream ssl, string peer, string self, CancellationToken cancellationToken)
    {
        var answer = new byte[1];
        int read;
        try
        {
            read = await ssl.ReadAsync(answer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or AuthenticationException)
        {
            throw new AuthenticationException($"TLS: {peer} refused {self}'s certificate ({e.Message}); check its palm.tls trust.", e);
        }
        if (read != 1 || answer[0] != Accepted)
            throw new AuthenticationException($"TLS: {peer} closed the connection instead of accepting {self}'s certificate; check its palm.tls trust.");
    }
}
