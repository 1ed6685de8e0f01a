using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Palm.Security.Internal;

/// <summary>What one probing TLS handshake with a node's port told (see <see cref="TlsProbe"/>).</summary>
internal enum TlsProbeOutcome
{
    /// <summary>The port did not answer a TLS handshake (it closed the connection, sent something else, or stayed silent).</summary>
    NotTls,

    /// <summary>The port speaks TLS (this side probed without a certificate of its own: palm.tls is off here).</summary>
    SpeaksTls,

    /// <summary>This side's trust refuses the port's certificate.</summary>
    PeerUntrusted,

    /// <summary>The port refused this side's certificate.</summary>
    OursRefused,

    /// <summary>Both certificates were accepted: TLS is not what fails.</summary>
    Accepted,
}

/// <summary>The outcome of <see cref="TlsProbe.RunAsync"/>, with the detail a message quotes.</summary>
internal sealed record TlsProbeResult(TlsProbeOutcome Outcome, string Detail);

/// <summary>
/// One TLS handshake made only to learn why a connection failed, since Akka.Remote's own handshake tells the dialling side
/// none of it; nothing is sent after the handshake (docs/internals.md#tlsprobe).
/// </summary>
internal static class TlsProbe
{
    /// <summary>
    /// How long the probe waits, after its handshake, for the node to refuse this side's certificate: a refusal
    /// arrives in one round trip, and an Akka node that accepted it stays silent (it waits for the association).
    /// </summary>
    private static readonly TimeSpan RefusalWait = TimeSpan.FromSeconds(1);

    /// <summary>Probes <paramref name="stream"/> (a fresh connection to the node), within <paramref name="timeout"/> for the handshake.</summary>
    /// <param name="stream">The connection; disposed by the probe.</param>
    /// <param name="settings">This side's TLS: with TLS off the probe presents no certificate and only asks whether the port speaks TLS.</param>
    /// <param name="targetHost">The host name dialled (for SNI; certificates are judged by Palm's trust, not by host name).</param>
    /// <param name="timeout">How long the port may take to answer the ClientHello.</param>
    /// <param name="cancellationToken">Stops the probe.</param>
    public static async Task<TlsProbeResult> RunAsync(Stream stream, PalmTlsSettings settings, string targetHost, TimeSpan timeout, CancellationToken cancellationToken)
    {
        X509Certificate2? peer = null;
        string? refusal = null;
        await using var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = targetHost,
            ClientCertificateContext = settings.Enabled ? settings.CertificateContext : null,
            EnabledSslProtocols = PalmTls.Protocols,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            // Accepted here whatever it is, so the handshake goes on to show whether the node accepts this side's certificate.
            RemoteCertificateValidationCallback = (_, certificate, chain, _) =>
            {
                if (certificate is not null) peer = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
                if (settings.Enabled) refusal = settings.Trust.Check(certificate, chain);
                return true;
            },
        };
        using var handshake = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        handshake.CancelAfter(timeout);
        try
        {
            await ssl.AuthenticateAsClientAsync(options, handshake.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return peer is null
                ? new(TlsProbeOutcome.NotTls, $"it did not answer a TLS ClientHello within {timeout.TotalSeconds:0.#} s")
                : Judged(peer, refusal, settings, "it did not finish the TLS handshake");
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            return peer is null
                ? new(TlsProbeOutcome.NotTls, $"it answered a TLS ClientHello with no TLS: {Innermost(e)}")
                : Judged(peer, refusal, settings, Innermost(e));
        }
        if (peer is null) return new(TlsProbeOutcome.NotTls, "it presented no certificate");
        if (!settings.Enabled || refusal is not null) return Judged(peer, refusal, settings, "");

        // TLS 1.3: the node judges this side's certificate after this side's handshake has ended; a refusal is an alert or a close.
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(RefusalWait);
        try
        {
            var read = await ssl.ReadAsync(new byte[1], wait.Token).ConfigureAwait(false);
            return read == 0
                ? new(TlsProbeOutcome.OursRefused, "it closed the connection after the handshake")
                : new(TlsProbeOutcome.Accepted, "");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new(TlsProbeOutcome.Accepted, "");
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            return new(TlsProbeOutcome.OursRefused, Innermost(e));
        }
    }

    private static TlsProbeResult Judged(X509Certificate2 peer, string? refusal, PalmTlsSettings settings, string failure)
    {
        if (!settings.Enabled) return new(TlsProbeOutcome.SpeaksTls, PeerTrust.Describe(peer));
        if (refusal is not null) return new(TlsProbeOutcome.PeerUntrusted, refusal);
        return new(TlsProbeOutcome.OursRefused, failure);
    }

    /// <summary>The message of the innermost exception: SslStream wraps the alert or the socket error that says what happened.</summary>
    internal static string Innermost(Exception e)
    {
        while (e.InnerException is not null) e = e.InnerException;
        return e.Message.TrimEnd('.');
    }
}
