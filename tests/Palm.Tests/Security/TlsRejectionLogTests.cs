using System.Collections.Concurrent;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Event;
using Palm.Hosting;
using Palm.Hosting.Internal;
using Palm.Security;
using Palm.Security.Internal;
using Palm.Tests.Client;
using Palm.Tests.Support;
using Xunit;

namespace Palm.Tests.Security;

/// <summary>
/// A node with palm.tls on, dialled again and again by peers it refuses, prints one line per kind of refusal and
/// rate-limit interval, naming the peer and the reason, and no stack trace: what its console logger prints is read
/// from every warning and error of its event stream, through the logger's own verdict.
/// </summary>
[Trait(TestCategories.Category, TestCategories.Cluster)]
public sealed class TlsRejectionLogTests
{
    private const int Attempts = 5;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private sealed class Recorder : ReceiveActor
    {
        public Recorder(ConcurrentQueue<LogEvent> events) => Receive<LogEvent>(events.Enqueue);
    }

    [Fact]
    public async Task Rejected_TLS_peers_cost_one_line_per_kind_naming_the_peer_and_the_reason_and_no_stack_trace()
    {
        using var certificates = new TestCertificates();
        var node = await PalmHost.StartNodeAsync(new NodeOptions { Config = certificates.Tls(certificates.Pfx("node-a")) });
        try
        {
            var events = new ConcurrentQueue<LogEvent>();
            var recorder = node.System.ActorOf(Props.Create(() => new Recorder(events)));
            node.System.EventStream.Subscribe(recorder, typeof(Warning));
            node.System.EventStream.Subscribe(recorder, typeof(Error));
            var port = ConnectTargets.Port(node);
            var untrusted = PalmTlsSettings.Create(certificates.Tls(certificates.Pfx("stranger-client")));

            for (var i = 0; i < Attempts; i++)
            {
                await PlainBytes(port);
                var probe = await Probe(port, untrusted);
                Assert.Equal(TlsProbeOutcome.OursRefused, probe.Outcome);
            }
            // Akka's last event per refused connection, so every event of every attempt is in.
            await Eventually.AssertAsync(() => Assert.Equal(2 * Attempts, events.Count(e => e.Message?.ToString()?.StartsWith("Rejected incoming connection") == true)), Bound);
            await Eventually.AssertAsync(() => Assert.Contains(events, e => e.LogSource.StartsWith("palm.transport", StringComparison.Ordinal)), Bound);

            var printed = events.Where(e => TransportNoise.Classify(e).Print).Select(e => e.ToString()).ToArray();
            Assert.True(printed.Length == 2, string.Join("\n----\n", printed));
            Assert.All(printed, line => Assert.DoesNotContain("   at ", line));
            Assert.Contains(printed, line => line.Contains("palm.tls: refused a connection from 127.0.0.1:") && line.Contains("it does not speak TLS"));
            Assert.Contains(printed, line => line.Contains("palm.tls: refused the TLS peer") && line.Contains("'CN=stranger-client") && line.Contains("does not chain to palm.tls.trusted-ca"));
        }
        finally
        {
            await PalmHost.StopNodeAsync(node);
        }
    }

    /// <summary>A connection that speaks no TLS: a few plain bytes, then wait for the node to close it.</summary>
    private static async Task PlainBytes(int port)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port).WaitAsync(Bound);
        var stream = client.GetStream();
        await stream.WriteAsync(Text.Bytes("hello, is this a web server?\r\n\r\n")).AsTask().WaitAsync(Bound);
        var buffer = new byte[256];
        while (await stream.ReadAsync(buffer).AsTask().WaitAsync(Bound) > 0)
        {
            // Until the node closes the connection.
        }
    }

    private static async Task<TlsProbeResult> Probe(int port, PalmTlsSettings settings)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port).WaitAsync(Bound);
        return await TlsProbe.RunAsync(client.GetStream(), settings, "127.0.0.1", TimeSpan.FromSeconds(10), CancellationToken.None).WaitAsync(Bound);
    }
}
