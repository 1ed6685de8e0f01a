using Palm.Bench.EndToEnd;
using Palm.Hosting;
using Palm.Servers;

namespace Palm.Bench.Soak;

/// <summary>The farm step of the soak: a butterfly server whose workers the soak kills, pauses and replaces.</summary>
public sealed class SoakFarmServer : ButterflyServer
{
    /// <summary>Microseconds of CPU each call burns (set from <c>--work-us</c>).</summary>
    public static int WorkMicroseconds { get; set; } = 50;

    /// <summary>Burns <see cref="WorkMicroseconds"/> and returns the payload.</summary>
    [PalmFunction("work")]
    public ReadOnlyMemory<byte> Work(ReadOnlyMemory<byte> payload)
    {
        SlowServer.Spin(WorkMicroseconds);
        return payload;
    }
}

/// <summary>
/// The <c>soak-node</c> group: one node of the soak in this process (<c>--server a</c>, a serial pass
/// server, or <c>--server farm --role leader|worker</c>). Prints <c>up ADDRESS</c>; runs until killed or
/// until its standard input closes.
/// </summary>
public static class SoakNode
{
    /// <summary>Runs the node with Palm's node flags plus <c>--server NAME --work-us U</c>.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var options = NodeOptions.Parse(args, ["--server", "--work-us"]);
        var server = options.ProgramFlags.GetValueOrDefault("--server");
        if (options.ProgramFlags.TryGetValue("--work-us", out var work)) SoakFarmServer.WorkMicroseconds = int.Parse(work);
        var node = await PalmHost.StartNodeAsync(options with { Config = options.Config is null ? PalmPipeline.Quiet : PalmPipeline.Quiet.WithFallback(options.Config) });
        SoakFaults.Inject(node.System);
        switch (server)
        {
            case "a": await node.StartServerAsync<PassServer>("a"); break;
            case "farm": await node.StartServerAsync(new SoakFarmServer(), "farm", options.Role); break;
            default: throw new ArgumentException("soak-node needs --server a|farm.");
        }
        Console.WriteLine($"up {node.Address}");
        await Task.Run(() =>
        {
            while (Console.In.ReadLine() is not null)
            {
            }
        });
        await PalmHost.StopNodeAsync(node);
        return 0;
    }
}
