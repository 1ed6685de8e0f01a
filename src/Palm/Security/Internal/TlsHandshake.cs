using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Palm.Security.Internal;

/// <summary>The mutual TLS handshakes behind <see cref="PalmTls.AuthenticateAsServerAsync"/> and <see cref="PalmTls.AuthenticateAsClientAsync"/>.</summary>
internal static class TlsHandshake
{
    private const SslProtocols Protocols = SslProtocols.Tls12 | SslProtocols.Tls13;

    /// <summary>
    /// The byte each side sends right after the handshake, "I accept your certificate": the TLS handshake alone does not
    /// tell either side that its peer accepted it (docs/internals.md#tlshandshake).
    /// </summary>
    private const byte Accepted = 0x50;

    public static async Task<SslStream> ServerAsync(Stream stream, PalmTlsSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Require(settings);
        string? refusal = null;
        var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
        try
        {
            var options = new SslServerAuthenticationOptions
            {
                ServerCertificateContext = settings.CertificateContext,
                ClientCertificateRequired = true,
                EnabledSslProtocols = Protocols,
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                RemoteCertificateValidationCallback = (_, certificate, chain, _) => (refusal = settings.Trust.Check(certificate, chain)) is null,
            };
            try
            {
                await ssl.AuthenticateAsServerAsync(options, cancellationToken).ConfigureAwait(false);
            }
            catch (AuthenticationException e) when (refusal is not null)
            {
                throw new AuthenticationException($"TLS: refused the client: {refusal}.", e);
            }
            await ReadAcceptance(ssl, "the client", "this server", cancellationToken).ConfigureAwait(false);
            await ssl.WriteAsync(new[] { Accepted }, cancellationToken).ConfigureAwait(false);
            await ssl.FlushAsync(cancellationToken).ConfigureAwait(false);
            return ssl;
        }
        catch
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public static async Task<SslStream> ClientAsync(Stream stream, PalmTlsSettings settings, string targetHost, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentException.ThrowIfNullOrEmpty(targetHost);
        Require(settings);
        string? refusal = null;
        var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
        try
        {
            var options = new SslClientAuthenticationOptions
            {
                TargetHost = targetHost,
                ClientCertificateContext = settings.CertificateContext,
                EnabledSslProtocols = Protocols,
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                RemoteCertificateValidationCallback = (_, certificate, chain, _) => (refusal = settings.Trust.Check(certificate, chain)) is null,
            };
            try
            {
                await ssl.AuthenticateAsClientAsync(options, cancellationToken).ConfigureAwait(false);
            }
            catch (AuthenticationException e) when (refusal is not null)
            {
                throw new AuthenticationException($"TLS: refused the server {targetHost}: {refusal}.", e);
            }
            await ssl.WriteAsync(new[] { Accepted }, cancellationToken).ConfigureAwait(false);
            await ssl.FlushAsync(cancellationToken).ConfigureAwait(false);
            await ReadAcceptance(ssl, $"the server {targetHost}", "this client", cancellationToken).ConfigureAwait(false);
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

    private static void Require(PalmTlsSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (!settings.Enabled) throw new InvalidOperationException("palm.tls is not enabled: there is no certificate to authenticate with.");
    }
}
