using Palm.Client;
using Palm.Cluster;

namespace Palm.Demo;

/// <summary>The demo on one machine: one actor system per node, on loopback, with real remoting between them.</summary>
public static class EmbeddedCluster
{
    /// <summary>Starts a seed and servers A, B and C, runs the demo job with a separate client, and shuts everything down.</summary>
    public static async Task<bool> RunAsync(int count, TextWriter output)
    {
        var nodes = new List<PalmNode>();
        try
        {
            var seed = await PalmHost.StartNodeAsync(new NodeOptions());
            nodes.Add(seed);
            output.WriteLine($"seed       : {seed.Address}");
            var joining = new NodeOptions { Seeds = [seed.Address] };
            var a = await PalmHost.StartNodeAsync(joining);
            await a.StartServerAsync<ParserServer>("a");
            var b = await PalmHost.StartNodeAsync(joining);
            await b.StartServerAsync<BookServer>("b");
            var c = await PalmHost.StartNodeAsync(joining);
            await c.StartServerAsync<PricerServer>("c");
            nodes.AddRange([a, b, c]);
            output.WriteLine($"servers    : a at {a.Address}, b at {b.Address}, c at {c.Address}");

            await using var client = await PalmClient.ConnectAsync(seed.Address);
            await client.WaitForServersAsync(DemoPipeline.Servers, TimeSpan.FromSeconds(30));
            return await DemoPipeline.RunAsync(client, count, output);
        }
        finally
        {
            await Task.WhenAll(nodes.Select(PalmHost.StopNodeAsync));
        }
    }
}
