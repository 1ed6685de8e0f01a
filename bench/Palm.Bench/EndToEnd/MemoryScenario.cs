using System.Diagnostics;
using System.Reflection;
using Palm.Bench.Common;
using Palm.Client;
using Palm.Hosting;

namespace Palm.Bench.EndToEnd;

/// <summary>
/// The <c>memory</c> group: a job of 10,000,000 messages through three servers, each node in its own OS
/// process (so each node's working set is its own), the last step deliberately slow. The client's window
/// is Palm's only backpressure: if any queue were unbounded, the nodes before the slow step would grow.
/// Prints every node's working set as the job runs and its peak at the end; the target is under 300 MB.
/// </summary>
public static class MemoryScenario
{
    private const long TargetBytes = 300L * 1024 * 1024;

    /// <summary>Runs the scenario; returns 0 when every message arrived exactly once and every node stayed under 300 MB.</summary>
    public static async Task<int> RunAsync(BenchOptions o)
    {
        Console.WriteLine($"palm-bench memory: {o.Messages:N0} messages of 100 B through a.pass -> b.pass -> c.slow ({o.SlowMicroseconds} us per message), "
            + "each server node its own OS process; seed and client in this process");
        var seed = await PalmHost.StartNodeAsync(new NodeOptions { Config = PalmPipeline.Quiet });
        var nodes = new List<NodeProcess>();
        try
        {
            foreach (var (name, kind) in new[] { ("a", "pass"), ("b", "pass"), ("c", "slow") })
                nodes.Add(await NodeProcess.StartAsync(name, kind, seed.Address, o.SlowMicroseconds));
            await using var client = await PalmClient.ConnectAsync(seed.Address, PalmPipeline.Quiet);
            await client.WaitForServersAsync(["a", "b", "c"], TimeSpan.FromSeconds(30));

            var delivery = new Delivery(o.Messages);
            var watch = Stopwatch.StartNew();
            var step = Math.Max(o.Messages / 10, 1);
            await foreach (var r in client.RunJob(["a.pass", "b.pass", "c.slow"], Inputs(o.Messages)))
            {
                if (r.IsError) delivery.Error();
                else delivery.Arrived(r.InputIndex, r.Payload.Span);
                if (delivery.Received % step == 0)
                    Report.Note($"{delivery.Received,12:N0} done, {watch.Elapsed.TotalSeconds,6:F1} s, {delivery.Received / watch.Elapsed.TotalSeconds,9:N0} msg/s, working set now: "
                        + string.Join(", ", nodes.Select(n => $"{n.Name} {Mb(n.Current)}")) + $", client+seed {Mb(Environment.WorkingSet)}");
            }
            watch.Stop();
            await Task.Delay(1000); // one more working-set report from every node

            using var self = Process.GetCurrentProcess();
            self.Refresh();
            var ok = delivery.Exact;
            foreach (var n in nodes)
            {
                var met = n.Peak < TargetBytes;
                ok &= met;
                Console.WriteLine($"memory node {n.Name} ({n.Kind}) peak working set {Mb(n.Peak),10}  target < 300 MB  {(met ? "MET" : "MISSED")}");
            }
            Console.WriteLine($"memory client+seed process peak working set {Mb(self.PeakWorkingSet64),10}  (not a server node; holds the delivery check)");
            Console.WriteLine($"memory job: {o.Messages:N0} messages in {watch.Elapsed.TotalSeconds:F1} s ({o.Messages / watch.Elapsed.TotalSeconds:N0} msg/s), {Counts.Of(delivery)}");
            return ok ? 0 : 1;
        }
        finally
        {
            foreach (var n in nodes) n.Dispose();
            await PalmHost.StopNodeAsync(seed);
        }
    }

    private static string Mb(long bytes) => $"{bytes / (1024.0 * 1024.0):F0} MB";

    private static IEnumerable<byte[]> Inputs(long count)
    {
        for (long i = 0; i < count; i++) yield return Delivery.Payload(i, 100);
    }

    /// <summary>A node of the scenario in a child process, stopped by closing its input or, failing that, by its own PID.</summary>
    private sealed class NodeProcess : IDisposable
    {
        private readonly Process _process;
        private readonly TaskCompletionSource<string> _up = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private NodeProcess(string name, string kind, Process process) => (Name, Kind, _process) = (name, kind, process);

        public string Name { get; }
        public string Kind { get; }
        public long Current { get; private set; }
        public long Peak { get; private set; }

        public static async Task<NodeProcess> StartAsync(string name, string kind, string seed, int slowUs)
        {
            var info = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardInput = true, UseShellExecute = false };
            var host = Environment.ProcessPath!;
            info.FileName = host;
            if (Path.GetFileNameWithoutExtension(host) == "dotnet") info.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
            foreach (var a in new[] { "node", "--name", name, "--kind", kind, "--slow-us", slowUs.ToString(), "--seed", seed })
                info.ArgumentList.Add(a);
            var process = new Process { StartInfo = info, EnableRaisingEvents = true };
            var node = new NodeProcess(name, kind, process);
            process.OutputDataReceived += (_, e) => node.OnLine(e.Data);
            process.Exited += (_, _) => node._up.TrySetException(new InvalidOperationException($"node {name} exited with {process.ExitCode}"));
            process.Start();
            process.BeginOutputReadLine();
            await node._up.Task.WaitAsync(TimeSpan.FromSeconds(60));
            Report.Note($"node {name} ({kind}) up in process {process.Id}");
            return node;
        }

        private void OnLine(string? line)
        {
            if (line is null) return;
            var parts = line.Split(' ');
            if (parts[0] == "up" && parts.Length == 2) _up.TrySetResult(parts[1]);
            else if (parts[0] == "ws" && parts.Length == 3)
            {
                Current = long.Parse(parts[1]);
                Peak = Math.Max(Peak, long.Parse(parts[2]));
            }
            else Console.WriteLine($"  [{Name}] {line}");
        }

        public void Dispose()
        {
            try
            {
                _process.StandardInput.Close();
                if (!_process.WaitForExit(10_000)) _process.Kill();
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
            _process.Dispose();
        }
    }
}
