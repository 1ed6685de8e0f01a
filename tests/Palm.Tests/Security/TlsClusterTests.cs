using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Configuration;
using Palm.Client;
using Palm.Configuration;
using Palm.Hosting;
using Palm.Messages;
using Palm.Security;
using Palm.TestKit;
using Palm.Tests.Support;
using Xunit;
using AkkaCluster = Akka.Cluster.Cluster;

namespace Palm.Tests.Security;

/// <summary>
/// A cluster with palm.tls on, each node and client its own actor system with its own certificate: a seed
/// (node-a) and server x (node-b), and a client; data lanes run over the same mutual TLS.
/// </summary>
public sealed class TlsCluster : IAsyncLifetime
{
    public TestCertificates Certificates { get; } = new();
    public PalmTestCluster Cluster { get; private set; } = null!;
    public PalmNode ServerNode { get; private set; } = null!;
    public PalmClient Client { get; private set; } = null!;

    /// <summary>Settings every TLS node and client of these tests shares.</summary>
    public static readonly Config Common = Config.Empty;

    /// <summary><c>palm.tls</c> with <paramref name="certificatePath"/> (trusting the cluster's CA) over <see cref="Common"/>.</summary>
    public Config Tls(string certificatePath) => Certificates.Tls(certificatePath).WithFallback(Common);

    public async Task InitializeAsync()
    {
        Cluster = await PalmTestCluster.StartAsync(Tls(Certificates.Pfx("node-a")));
        ServerNode = await Cluster.StartNodeAsync(Certificates.Tls(Certificates.Pfx("node-b")));
        await ServerNode.StartServerAsync<SuffixServer>("x");
        await Cluster.Seed.WaitForServersAsync(["x"], TimeSpan.FromSeconds(30));
        Client = await Cluster.ConnectClientAsync(Certificates.Tls(Certificates.Pfx("client")));
        await Client.WaitForServersAsync(["x"], TimeSpan.FromSeconds(30));
    }

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        Certificates.Dispose();
    }
}

/// <summary>Records the strings it receives; completes <c>arrived</c> on "member".</summary>
public sealed class Recorder : ReceiveActor
{
    public Recorder(ConcurrentQueue<string> seen, TaskCompletionSource arrived)
    {
        Receive<string>(s =>
        {
            seen.Enqueue(s);
            if (s == "member") arrived.TrySetResult();
        });
    }
}

/// <summary>With palm.tls on, members and clients with trusted certificates work as ever, and nobody else gets in.</summary>
[Trait(TestCategories.Category, TestCategories.Cluster)]
public sealed class TlsClusterTests(TlsCluster fixture) : IClassFixture<TlsCluster>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private static async Task<string[]> Tags(PalmClient client, int count)
    {
        var results = new List<string>();
        await foreach (var r in client.RunJob(["x.tag"], Enumerable.Range(0, count).Select(i => Text.Bytes($"m{i}"))).WithTimeout(Bound))
        {
            Assert.False(r.IsError, r.Error?.Message);
            results.Add(Text.Of(r.Payload));
        }
        return results.Order().ToArray();
    }

    private static string[] Expected(int count) => Enumerable.Range(0, count).Select(i => $"m{i}>x").Order().ToArray();

    private string[] Members() =>
        AkkaCluster.Get(fixture.Cluster.Seed.System).State.Members.Select(m => m.Address.ToString()).Order().ToArray();

    [Fact]
    public async Task Nodes_with_trusted_certificates_form_a_cluster_over_TLS_and_a_trusted_client_runs_a_job()
    {
        Assert.StartsWith("akka.ssl.tcp://palm@127.0.0.1:", fixture.Cluster.Seed.Address);
        Assert.Equal(new[] { fixture.Cluster.Seed.Address, fixture.ServerNode.Address }.Order(), Members());
        Assert.True(PalmTls.GetSettings(fixture.ServerNode.System).Enabled);

        Assert.Equal(Expected(200), await Tags(fixture.Client, 200));
    }

    [Fact]
    public async Task A_node_with_a_certificate_from_another_CA_never_becomes_a_member_while_the_cluster_serves_a_job()
    {
        // The stranger trusts our CA: only the members' trust keeps it out.
        var stranger = fixture.Tls(fixture.Certificates.Pfx("stranger-node")).WithFallback(ConfigurationFactory.ParseString("palm.connect-timeout = 8s"));
        var joining = PalmHost.StartNodeAsync(new NodeOptions { Seeds = [fixture.Cluster.Seed.Address], Config = stranger });

        Assert.Equal(Expected(300), await Tags(fixture.Client, 300));
        await Assert.ThrowsAsync<PalmConnectException>(() => joining.WaitAsync(Bound));

        Assert.Equal(new[] { fixture.Cluster.Seed.Address, fixture.ServerNode.Address }.Order(), Members());
        Assert.Empty(AkkaCluster.Get(fixture.Cluster.Seed.System).State.Unreachable);
        Assert.Equal(Expected(20), await Tags(fixture.Client, 20));
    }

    [Theory]
    [InlineData("stranger-client")]
    [InlineData("self-signed")]
    public async Task A_client_with_an_untrusted_certificate_cannot_connect(string who)
    {
        var path = who == "self-signed" ? fixture.Certificates.SelfSignedPath : fixture.Certificates.Pfx(who);
        var config = fixture.Tls(path).WithFallback(ConfigurationFactory.ParseString("palm.connect-timeout = 5s"));

        // Named as the node's refusal of this client's certificate, not as a time-out.
        var refused = await Assert.ThrowsAsync<PalmConnectException>(() => PalmClient.ConnectAsync(fixture.Cluster.Seed.Address, config).WaitAsync(Bound));
        Assert.Contains("the node refused this client's certificate", refused.Message);
        Assert.Equal(Expected(10), await Tags(fixture.Client, 10));
    }

    [Fact]
    public async Task A_system_with_an_untrusted_certificate_cannot_get_a_message_to_a_server_node()
    {
        var seen = new ConcurrentQueue<string>();
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var name = "recorder-" + Guid.NewGuid().ToString("N");
        fixture.ServerNode.System.ActorOf(Props.Create(() => new Recorder(seen, arrived)), name);
        var path = $"{fixture.ServerNode.Address}/user/{name}";

        var outsider = PalmTls.CreateActorSystem("palm-client",
            fixture.Tls(fixture.Certificates.Pfx("stranger-client")).WithFallback(PalmConfig.Client));
        try
        {
            outsider.ActorSelection(path).Tell("intruder");
            await Assert.ThrowsAsync<ActorNotFoundException>(() => outsider.ActorSelection(path).ResolveOne(TimeSpan.FromSeconds(5)));
            outsider.ActorSelection(path).Tell("intruder");

            // A trusted client's message gets there: the path is right, and the outsider's never came.
            fixture.Client.System.ActorSelection(path).Tell("member");
            await arrived.Task.WaitAsync(Bound);
            Assert.Equal(["member"], seen);
        }
        finally
        {
            await outsider.Terminate().WaitAsync(Bound);
        }
    }
}
