using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using Akka.Configuration;
using Palm.Gateway;
using Palm.Hosting;
using Palm.Security;
using Palm.TestKit;
using Palm.Tests.Security;
using Palm.Tests.Support;
using Xunit;

namespace Palm.Tests.AspNetCore;

/// <summary>
/// The gateway's TLS story as docs/gateway.md tells it, in one fixture: a cluster with <c>palm.tls</c> on (seed and server
/// <c>w</c> (<see cref="WordsServer"/>) on nodes with certificates of their own from one CA, fast failure detection), and the
/// gateway program started with <c>--urls https://127.0.0.1:0</c>, Kestrel's certificate given as
/// <c>--Kestrel:Certificates:Default:Path/Password</c>, and a <c>--config</c> file whose <c>palm.tls</c> holds the gateway's own
/// client certificate from the cluster's CA. <see cref="Https"/> trusts exactly the gateway's HTTPS certificate.
/// </summary>
public sealed class TlsGatewayFixture : IAsyncLifetime
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    /// <summary>Nodes the tests start and stop (each its own certificate), beside <c>seed</c> and <c>server</c>.</summary>
    public static readonly string[] ExtraNodes = ["leaver-frames", "leaver-ndjson"];

    private const string KestrelPassword = "kestrel-secret";
    private readonly CancellationTokenSource _stop = new();
    private Task<int> _run = Task.FromResult(0);

    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "palm-gateway-tls-" + Guid.NewGuid().ToString("N"));

    /// <summary>The cluster's CA, its nodes' certificates and the gateway's (<c>gateway</c>).</summary>
    public PalmCertificateFiles Ours { get; private set; } = null!;

    /// <summary>Another CA, whose <c>stranger-gateway</c> the cluster does not trust.</summary>
    public PalmCertificateFiles Theirs { get; private set; } = null!;

    /// <summary>Kestrel's certificate: self-signed, for 127.0.0.1, made here.</summary>
    public X509Certificate2 HttpsCertificate { get; private set; } = null!;

    public string HttpsPfx => Path.Combine(Directory, "https.pfx");

    public PalmTestCluster Cluster { get; private set; } = null!;

    /// <summary>The node of server <c>w</c>.</summary>
    public PalmNode ServerNode { get; private set; } = null!;

    /// <summary>The gateway's root, <c>https://127.0.0.1:PORT/</c>.</summary>
    public Uri Base { get; private set; } = null!;

    /// <summary>An HTTP client whose only trusted server certificate is <see cref="HttpsCertificate"/>.</summary>
    public HttpClient Https { get; private set; } = null!;

    /// <summary>The gateway program's output so far.</summary>
    public SignalWriter Output { get; } = new("palm: gateway up at ");

    public async Task InitializeAsync()
    {
        Ours = PalmCertificates.CreateFiles(Path.Combine(Directory, "ours"), ["seed", "server", .. ExtraNodes], ["gateway"], "Gateway Test CA");
        Theirs = PalmCertificates.CreateFiles(Path.Combine(Directory, "theirs"), [], ["stranger-gateway"], "Other CA");
        HttpsCertificate = CreateHttpsCertificate();
        PalmCertificates.WritePfx(HttpsCertificate, HttpsPfx, KestrelPassword);

        Cluster = await PalmTestCluster.StartAsync(Tls("seed").WithFallback(PalmTestCluster.FastFailureDetection));
        ServerNode = await Cluster.StartNodeAsync(Tls("server"));
        await ServerNode.StartServerAsync<WordsServer>("w");
        await Cluster.Seed.WaitForServersAsync(["w"], Wait);

        _run = StartGateway(ConfigFile("gateway", Ours.CaCrt), Output, _stop.Token);
        await Task.WhenAny(Output.Seen.Task, _run).WaitAsync(Wait);
        if (!Output.Seen.Task.IsCompleted) throw new InvalidOperationException($"The gateway ended (exit code {await _run}) before it was up: {Output}");
        Base = new Uri(Regex.Match(Output.Seen.Task.Result, @"up at (https://127\.0\.0\.1:\d+)").Groups[1].Value + "/");
        Https = new HttpClient(TrustingOnly(HttpsCertificate)) { BaseAddress = Base, Timeout = TimeSpan.FromSeconds(60) };
        // The gateway's client knows w once an eval through it reaches w.
        await Eventually.AssertAsync(async () =>
        {
            using var eval = await Https.PostAsync("eval/w.upper", new ByteArrayContent(Text.Bytes("ready")));
            Assert.Equal(HttpStatusCode.OK, eval.StatusCode);
        }, Wait);
    }

    /// <summary>Runs the gateway program against the cluster's seed over HTTPS on a port the OS picks, with <paramref name="config"/> as its <c>--config</c>.</summary>
    public Task<int> StartGateway(string config, TextWriter output, CancellationToken stop, TextWriter? error = null) =>
        GatewayProgram.MainAsync([
            "--contact", Cluster.Seed.Address,
            "--urls", "https://127.0.0.1:0",
            "--config", config,
            $"--Kestrel:Certificates:Default:Path={HttpsPfx}",
            $"--Kestrel:Certificates:Default:Password={KestrelPassword}",
            "--Logging:LogLevel:Default=Warning",
        ], output, error ?? output, stop);

    /// <summary>Writes a gateway's <c>--config</c> file: <c>palm.tls</c> with the client certificate <paramref name="certificate"/> (of either CA), trusting <paramref name="trustedCa"/>.</summary>
    public string ConfigFile(string certificate, string trustedCa)
    {
        var path = Path.Combine(Directory, certificate + ".conf");
        var pfx = Ours.Certificates.Concat(Theirs.Certificates).Single(c => c.Name == certificate).Path;
        File.WriteAllText(path, $$"""
            palm.tls { enabled = on, certificate = "{{TestCertificates.Escape(pfx)}}", trusted-ca = "{{TestCertificates.Escape(trustedCa)}}" }
            """);
        return path;
    }

    /// <summary><c>palm.tls</c> for the node <paramref name="name"/>: its own certificate, trusting the cluster's CA.</summary>
    public Config Tls(string name) => ConfigurationFactory.ParseString($$"""
        palm.tls {
          enabled = on
          certificate = "{{TestCertificates.Escape(Ours.Certificates.Single(c => c.Name == name).Path)}}"
          trusted-ca = "{{TestCertificates.Escape(Ours.CaCrt)}}"
        }
        """);

    /// <summary>A handler that accepts <paramref name="certificate"/> as the server's and nothing else (no system trust store).</summary>
    public static SocketsHttpHandler TrustingOnly(X509Certificate2 certificate) => new()
    {
        SslOptions = { RemoteCertificateValidationCallback = (_, presented, _, _) => presented is not null && presented.GetRawCertData().AsSpan().SequenceEqual(certificate.RawData) },
    };

    private static X509Certificate2 CreateHttpsCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
    }

    public async Task DisposeAsync()
    {
        Https?.Dispose();
        await _stop.CancelAsync();
        await _run.WaitAsync(Wait);
        _stop.Dispose();
        if (Cluster is not null) await Cluster.DisposeAsync();
        HttpsCertificate?.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still open by a terminating actor system; the temp folder is cleaned by the OS.
        }
    }
}
