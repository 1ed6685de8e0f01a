using System.Net;
using System.Text.RegularExpressions;
using Palm.Gateway;
using Palm.Hosting;
using Palm.Tests.AspNetCore;
using Palm.Tests.Support;
using Xunit;

namespace Palm.Tests.Gateway;

/// <summary>The gateway program's whole life against a real cluster: up on a port the OS picks, serving, stopped with exit code 0.</summary>
[Trait(TestCategories.Category, TestCategories.Cluster)]
public sealed class GatewayProcessTests(GatewayFixture cluster) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task The_gateway_program_connects_as_a_client_serves_eval_and_the_page_and_stops_with_0()
    {
        var output = new SignalWriter("palm: gateway up at ");
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var run = GatewayProgram.MainAsync(["--contact", cluster.Cluster.Seed.Address, "--urls", "http://127.0.0.1:0", "--prefix", "/p",
            "--Logging:LogLevel:Default=Warning"], output, TextWriter.Null, stop.Token);

        var line = await output.Seen.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var address = Regex.Match(line, @"up at (http://127\.0\.0\.1:\d+)").Groups[1].Value;
        Assert.Contains($"a client of {cluster.Cluster.Seed.Address}", line);
        using var http = new HttpClient { BaseAddress = new Uri(address + "/p/") };
        using (var eval = await http.PostAsync("eval/w.upper", new ByteArrayContent(Text.Bytes("via the program"))))
            Assert.Equal("VIA THE PROGRAM", await eval.Content.ReadAsStringAsync());
        using (var page = await http.GetAsync(""))
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Contains("assets/status.js", await page.Content.ReadAsStringAsync());
        }
        // The gateway is a client: the cluster's members are as many as before.
        var status = await cluster.Client.GetStatusAsync();
        Assert.Equal(cluster.Cluster.Nodes.Count, status.Nodes.Count);

        await stop.CancelAsync();
        Assert.Equal(PalmExitCodes.Ok, await run.WaitAsync(TimeSpan.FromSeconds(30)));
    }
}
