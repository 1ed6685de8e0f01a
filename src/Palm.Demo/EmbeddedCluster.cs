using Palm.Client;
using Palm.Hosting;
using Palm.Servers;

namespace Palm.Demo;

/// <summary>The demo on one machine: one actor system per node, on loopback, with real remoting between them.</summary>
public static class EmbeddedCluster
{
    /// <summary>How many workers server C gets, each on a node of its own.</summary>
    public const int PricerWorkers = 2;

    /// <summary>Starts a seed, servers A and B, C's leader and workers, runs the demo job with a separate client, and shuts everything down.</summary>
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
            await c.StartServerAsync<PricerServer>("c", ServerRole.Leader);
            nodes.AddRange([a, b, c]);
            for (var i = 0; i < PricerWorkers; i++)
            {
                var worker = await PalmHost.StartNodeAsync(joining);
                nodes.Add(worker);
                await worker.StartServerAsync<PricerServer>("c", ServerRole.Worker);
            }
            output.WriteLine($"servers    : a at {a.Address}, b at {b.Address}, c (leader) at {c.Address}");
            output.WriteLine($"workers    : c x {PricerWorkers} at {string.Join(", ", nodes.Skip(4).Select(n => n.Address))}");

            await using var client = await PalmClient.ConnectAsync(seed.Address);
            await client.WaitForServersAsync(DemoPipeline.Servers, TimeSpan.FromSeconds(30));
            // C's leader must see its workers before the job, or it would hold every message until they show up.
            await c.WaitForServersAsync(["c"], TimeSpan.FromSeconds(30), minWorkers: PricerWorkers);
            return await DemoPipeline.RunAsync(client, count, output);
        }
        finally
        {
            await Task.WhenAll(nodes.Select(PalmHost.StopNodeAsync));
        }
    }
}
