using System.Net.Sockets;
using Palm.Security;
using Palm.Security.Internal;

namespace Palm.Client.Internal;

/// <summary>
/// Why a node's port cannot carry an association, found by dialling it directly: nothing listens, the name does not
/// resolve, TLS on one side only, a certificate one side does not trust. Akka.Remote's dialling side learns none
/// of these (it sees an association fail, or hang, with no cause); the node's side is not the user's.
/// </summary>
internal static class TransportCheck
{
    /// <summary>How long each direct connection and TLS handshake may take before its silence is the answer.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    /// <summary>The cause that keeps an association with <paramref name="host"/>:<paramref name="port"/> from working, or null if the port seems fine.</summary>
    /// <param name="host">The contact's host.</param>
    /// <param name="port">The contact's port.</param>
    /// <param name="tls">This client's TLS.</param>
    /// <param name="probeTls">Whether to make a TLS handshake too (a node without TLS never answers one: it costs <see cref="Timeout"/>).</param>
    /// <param name="cancellationToken">Stops the check.</param>
    public static async Task<string?> FindCauseAsync(string host, int port, PalmTlsSettings tls, bool probeTls, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            using (var connect = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                connect.CancelAfter(Timeout);
                try
                {
                    await socket.ConnectAsync(host, port, connect.Token).ConfigureAwait(false);
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
                {
                    return $"nothing listens at {host}:{port} (connection refused): is the node running, and is {port} its port?";
                }
                catch (SocketException e) when (e.SocketErrorCode is SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain)
                {
                    return $"the host name '{host}' does not resolve ({e.Message})";
                }
                catch (SocketException e)
                {
                    return $"cannot open a TCP connection to {host}:{port}: {e.Message}";
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    return $"{host}:{port} did not accept a TCP connection within {Timeout.TotalSeconds:0} s (a firewall, or a machine that is down or has another address)";
                }
            }
            if (!probeTls) return null;
            var stream = new NetworkStream(socket, ownsSocket: true);
            socket = null;
            var probe = await TlsProbe.RunAsync(stream, tls, host, Timeout, cancellationToken).ConfigureAwait(false);
            return Describe(probe, host, port, tls);
        }
        finally
        {
            socket?.Dispose();
        }
    }

    private static string? Describe(TlsProbeResult probe, string host, int port, PalmTlsSettings tls) => probe.Outcome switch
    {
        TlsProbeOutcome.NotTls when tls.Enabled =>
            $"this client has palm.tls on, but the node at {host}:{port} does not speak TLS ({probe.Detail}): the node runs with palm.tls off; "
            + "turn palm.tls on at the node, or off here.",
        TlsProbeOutcome.SpeaksTls =>
            $"the node at {host}:{port} speaks TLS (its palm.tls is on; it presents {probe.Detail}), and this client has palm.tls off: "
            + "turn palm.tls on here, with a certificate the node trusts (the node's address then starts with akka.ssl.tcp://).",
        TlsProbeOutcome.PeerUntrusted =>
            $"this client does not trust the node's certificate: {probe.Detail}; this client trusts only {Trusted(tls)}.",
        TlsProbeOutcome.OursRefused =>
            $"the node refused this client's certificate, {PeerTrust.Describe(tls.Certificate!)} ({probe.Detail}): the node trusts another CA "
            + $"than '{tls.Certificate!.Issuer}'. Give this client a certificate (palm.tls.certificate) from the CA the node trusts.",
        _ => null,
    };

    /// <summary>What this client's palm.tls trusts, as an operator would look it up.</summary>
    private static string Trusted(PalmTlsSettings tls)
    {
        var parts = new List<string>();
        if (tls.TrustedRoots.Count > 0)
            parts.Add($"the CA {string.Join(", ", tls.TrustedRoots.Select(r => $"'{r.Subject}'"))}"
                      + (tls.TrustedCaPath.Length > 0 ? $" (palm.tls.trusted-ca = {tls.TrustedCaPath})" : ""));
        if (tls.TrustedThumbprints.Count > 0)
            parts.Add($"the certificates of palm.tls.trusted-thumbprints ({string.Join(", ", tls.TrustedThumbprints)})");
        return string.Join(" and ", parts);
    }
}
