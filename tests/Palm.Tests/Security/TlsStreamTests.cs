using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Palm.Security;
using Xunit;

namespace Palm.Tests.Security;

/// <summary>The mutual TLS handshakes the data lanes will use, over a loopback TCP connection.</summary>
public sealed class TlsStreamTests(TestCertificates certificates) : IClassFixture<TestCertificates>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    /// <summary>A connected pair of loopback sockets: (accepted, connecting).</summary>
    private static async Task<(NetworkStream Server, NetworkStream Client)> Connect()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var client = new TcpClient();
            var accept = listener.AcceptTcpClientAsync();
            await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
            var server = await accept.WaitAsync(Bound);
            return (server.GetStream(), client.GetStream());
        }
        finally
        {
            listener.Stop();
        }
    }

    private static async Task<(Task<SslStream> Server, Task<SslStream> Client)> Handshake(PalmTlsSettings server, PalmTlsSettings client)
    {
        var (serverStream, clientStream) = await Connect();
        var cancel = new CancellationTokenSource(Bound).Token;
        var serverSide = PalmTls.AuthenticateAsServerAsync(serverStream, server, cancel);
        var clientSide = PalmTls.AuthenticateAsClientAsync(clientStream, client, "127.0.0.1", cancel);
        await Task.WhenAny(Task.WhenAll(serverSide, clientSide), Task.Delay(Bound));
        Assert.True(serverSide.IsCompleted && clientSide.IsCompleted, "the handshake did not finish in time");
        return (serverSide, clientSide);
    }

    private static async Task Exchange(SslStream a, SslStream b)
    {
        await a.WriteAsync("ping"u8.ToArray());
        await a.FlushAsync();
        var buffer = new byte[4];
        await b.ReadExactlyAsync(buffer).AsTask().WaitAsync(Bound);
        Assert.Equal("ping"u8.ToArray(), buffer);
    }

    [Fact]
    public async Task Trusted_peers_authenticate_each_other_and_exchange_bytes_over_TLS_12_or_13()
    {
        var (server, client) = await Handshake(certificates.Settings("node-a"), certificates.Settings("client"));

        await using var s = await server;
        await using var c = await client;
        Assert.Equal("CN=client, OU=client, O=Palm", PalmTls.GetPeer(s).Subject);
        Assert.Equal(certificates.Ours.Certificates.Single(x => x.Name == "client").Thumbprint, PalmTls.GetPeer(s).Thumbprint);
        Assert.Equal("CN=node-a, OU=node, O=Palm", PalmTls.GetPeer(c).Subject);
        Assert.Contains(c.SslProtocol, new[] { SslProtocols.Tls12, SslProtocols.Tls13 });
        Assert.True(s.IsMutuallyAuthenticated);
        await Exchange(c, s);
        await Exchange(s, c);
    }

    [Fact]
    public async Task Peers_that_trust_each_others_thumbprint_authenticate_without_a_CA()
    {
        var a = PalmCertificates.LoadPfx(certificates.Pfx("stranger-node"));
        var b = PalmCertificates.LoadPfx(certificates.SelfSignedPath);
        var (server, client) = await Handshake(PalmTlsSettings.FromCertificates(a, [], [b.Thumbprint]), PalmTlsSettings.FromCertificates(b, [], [a.Thumbprint]));

        await using var s = await server;
        await using var c = await client;
        await Exchange(c, s);
    }

    [Theory]
    [InlineData("stranger-client")]
    [InlineData("self-signed")]
    public async Task A_client_with_an_untrusted_certificate_is_refused_on_both_sides(string who)
    {
        var path = who == "self-signed" ? certificates.SelfSignedPath : certificates.Pfx(who);
        // The stranger trusts our CA: only the server's trust keeps it out.
        var stranger = PalmTlsSettings.Create(certificates.Tls(path));
        var (server, client) = await Handshake(certificates.Settings("node-a"), stranger);

        var refused = await Assert.ThrowsAsync<AuthenticationException>(() => server);
        Assert.Contains("does not chain to palm.tls.trusted-ca", refused.Message);
        Assert.Contains(who, refused.Message);
        // Whatever the TLS version, the client learns it before it could send anything.
        await Assert.ThrowsAsync<AuthenticationException>(() => client);
    }

    [Fact]
    public async Task A_server_with_an_untrusted_certificate_is_refused_on_both_sides()
    {
        var stranger = PalmTlsSettings.Create(certificates.Tls(certificates.Pfx("stranger-node")));
        var (server, client) = await Handshake(stranger, certificates.Settings("client"));

        var refused = await Assert.ThrowsAsync<AuthenticationException>(() => client);
        Assert.Contains("refused the server", refused.Message);
        Assert.Contains("stranger-node", refused.Message);
        // The client tells it so: the server does not keep a connection its peer is tearing down.
        Assert.Contains("this server's certificate", (await Assert.ThrowsAsync<AuthenticationException>(() => server)).Message);
    }

    [Fact]
    public async Task A_client_without_a_certificate_is_refused_and_never_gets_the_confirmation()
    {
        var (serverStream, clientStream) = await Connect();
        var cancel = new CancellationTokenSource(Bound).Token;
        var server = PalmTls.AuthenticateAsServerAsync(serverStream, certificates.Settings("node-a"), cancel);
        // A plain TLS client that accepts any server and has no certificate to present.
        await using var bare = new SslStream(clientStream, leaveInnerStreamOpen: false);
        var bareHandshake = bare.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "127.0.0.1",
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
        }, cancel);

        var refused = await Assert.ThrowsAsync<AuthenticationException>(() => server.WaitAsync(Bound));
        Assert.Contains("presented no certificate", refused.Message);
        var outcome = await Record.ExceptionAsync(async () =>
        {
            await bareHandshake.WaitAsync(Bound);
            var buffer = new byte[1];
            Assert.Equal(0, await bare.ReadAsync(buffer, cancel).AsTask().WaitAsync(Bound));
        });
        Assert.True(outcome is null or AuthenticationException or IOException, $"unexpected {outcome}");
    }
}
