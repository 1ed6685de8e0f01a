using System.Diagnostics;
using Palm.Hosting;

namespace Palm.Bench.EndToEnd;

/// <summary>
/// The <c>node</c> group: one Palm node with one server in this process, started by <see cref="MemoryScenario"/>.
/// Prints <c>up ADDRESS</c>, then <c>ws CURRENT PEAK</c> (bytes) twice a second; leaves when its standard input closes.
/// </summary>
public static class MemoryNode
{
    /// <summary>Runs the node: <c>--name N --kind pass|slow --slow-us U</c> plus Palm's node flags (<c>--seed</c>).</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var options = NodeOptions.Parse(args, ["--name", "--kind", "--slow-us"]);
        var name = options.ProgramFlags.GetValueOrDefault("--name");
        var kind = options.ProgramFlags.GetValueOrDefault("--kind", "pass");
        if (options.ProgramFlags.TryGetValue("--slow-us", out var slow)) SlowServer.SpinMicroseconds = int.Parse(slow);
        if (name is null) throw new ArgumentException("node needs --name.");
        var node = await PalmHost.StartNodeAsync(options with { Config = PalmPipeline.Quiet });
        if (kind == "slow") await node.StartServerAsync<SlowServer>(name);
        else await node.StartServerAsync<PassServer>(name);
        Console.WriteLine($"up {node.Address}");

        using var stop = new CancellationTokenSource();
        var stdin = Task.Run(() =>
        {
            while (Console.In.ReadLine() is not null)
            {
            }
            stop.Cancel();
        });
        using var self = Process.GetCurrentProcess();
        while (!stop.IsCancellationRequested)
        {
            self.Refresh();
            Console.WriteLine($"ws {self.WorkingSet64} {self.PeakWorkingSet64}");
            try { await Task.Delay(500, stop.Token); } catch (OperationCanceledException) { }
        }
        await PalmHost.StopNodeAsync(node);
        await stdin;
        return 0;
    }
}
