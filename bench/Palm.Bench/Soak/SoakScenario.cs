using System.Diagnostics;
using System.Reflection;
using Akka.Configuration;
using Palm.Bench.Common;
using Palm.Bench.EndToEnd;
using Palm.Client;
using Palm.Hosting;
using Palm.Transport;

namespace Palm.Bench.Soak;

/// <summary>
/// The <c>soak</c> group: a pipeline client -> a (serial) -> farm (butterfly: leader + workers) -> client runs
/// for minutes while the soak kills workers (SIGKILL, each replaced by a new process), pauses them (SIGSTOP,
/// then SIGCONT) and every node's lanes and Akka.Remote sessions drop, duplicate, delay and reorder
/// envelopes (<c>palm-bench.fuzzing</c>, injected into each system's <c>DataLanes.Fuzzing</c>). Prints throughput every 10 s and, at the end, lost and duplicated
/// results: both must be 0.
/// </summary>
public static class SoakScenario
{
    private const string Fuzzing = """
        palm-bench.fuzzing { enabled = on, drop = 0.005, duplicate = 0.005, delay = 0.005, reorder = 0.005, max-delay = 20ms, seed = 7 }
        akka.cluster.failure-detector.acceptable-heartbeat-pause = 3s
        palm.downing.stable-after = 2s
        akka.remote.watch-failure-detector.acceptable-heartbeat-pause = 3s
        """;

    /// <summary>Runs the soak: <c>--minutes M</c> (default 2), <c>--workers N</c> (default 3), <c>--work-us U</c> (default 50).</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        double minutes = 2;
        int workers = 3, workUs = 50;
        for (var i = 0; i < args.Length - 1; i++)
        {
            if (args[i] == "--minutes") minutes = double.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture);
            if (args[i] == "--workers") workers = int.Parse(args[i + 1]);
            if (args[i] == "--work-us") workUs = int.Parse(args[i + 1]);
        }
        var configFile = Path.Combine(Path.GetTempPath(), $"palm-soak-{Guid.NewGuid():N}.conf");
        await File.WriteAllTextAsync(configFile, Fuzzing);
        var fuzzing = ConfigurationFactory.ParseString(Fuzzing);
        Console.WriteLine($"palm-bench soak: {minutes} min of client -> a -> farm (leader + {workers} workers, {workUs} us per call) -> client, "
            + "workers killed and replaced or paused every 2-5 s, 0.5% of envelopes dropped, duplicated, delayed and reordered on every node");

        var seed = await PalmHost.StartNodeAsync(new NodeOptions { Config = PalmPipeline.Quiet.WithFallback(fuzzing) });
        SoakFaults.Inject(seed.System);
        var processes = new List<SoakProcess>();
        var random = new Random(2026);
        try
        {
            Task<SoakProcess> Start(params string[] a) => SoakProcess.StartAsync([.. a, "--seed", seed.Address, "--config", configFile, "--work-us", workUs.ToString()]);
            processes.Add(await Start("--server", "a"));
            processes.Add(await Start("--server", "farm", "--role", "leader"));
            var farm = new List<SoakProcess>();
            foreach (var w in await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Start("--server", "farm", "--role", "worker")))) farm.Add(w);
            processes.AddRange(farm);
            await using var client = await PalmClient.ConnectAsync(seed.Address, PalmPipeline.Quiet.WithFallback(fuzzing));
            SoakFaults.Inject(client.System);
            await client.WaitForServersAsync(["a"], TimeSpan.FromSeconds(60));
            await client.WaitForServersAsync(["farm"], TimeSpan.FromSeconds(60), minWorkers: workers);

            var end = DateTime.UtcNow + TimeSpan.FromMinutes(minutes);
            var delivery = new Delivery(1L << 30);
            long sent = 0;
            IEnumerable<byte[]> Inputs()
            {
                while (DateTime.UtcNow < end) yield return Delivery.Payload(sent++, 100);
            }

            using var stop = new CancellationTokenSource();
            var kills = 0;
            var pauses = 0;
            var chaos = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    await Task.Delay(random.Next(2000, 5000), stop.Token).ContinueWith(_ => { });
                    if (stop.IsCancellationRequested || farm.Count == 0) break;
                    var victim = farm[random.Next(farm.Count)];
                    if (random.Next(3) < 2)
                    {
                        farm.Remove(victim);
                        victim.Kill();
                        kills++;
                        var replacement = await Start("--server", "farm", "--role", "worker");
                        lock (processes) processes.Add(replacement);
                        farm.Add(replacement);
                    }
                    else
                    {
                        victim.Signal("STOP");
                        pauses++;
                        await Task.Delay(random.Next(1000, 3000));
                        victim.Signal("CONT");
                    }
                }
            });

            var watch = Stopwatch.StartNew();
            var lastReport = TimeSpan.Zero;
            long lastCount = 0;
            await foreach (var r in client.RunJob(["a.pass", "farm.work"], Inputs()))
            {
                if (r.IsError) delivery.Error();
                else delivery.Arrived(Delivery.SeqOf(r.Payload.Span), r.Payload.Span);
                if (watch.Elapsed - lastReport >= TimeSpan.FromSeconds(10))
                {
                    var rate = (delivery.Received - lastCount) / (watch.Elapsed - lastReport).TotalSeconds;
                    Report.Note($"{watch.Elapsed.TotalSeconds,6:F0} s  {delivery.Received,10:N0} results  {rate,9:N0} msg/s  kills {kills}  pauses {pauses}");
                    (lastReport, lastCount) = (watch.Elapsed, delivery.Received);
                }
            }
            watch.Stop();
            stop.Cancel();
            await chaos;
            var lost = sent - (delivery.Received - delivery.Duplicates);
            var exact = lost == 0 && delivery.Duplicates == 0 && delivery.Corrupt == 0 && delivery.Errors == 0;
            Console.WriteLine($"soak: {sent:N0} inputs in {watch.Elapsed.TotalSeconds:F0} s ({sent / watch.Elapsed.TotalSeconds:N0} msg/s), {kills} workers killed and replaced, "
                + $"{pauses} paused; lost {lost} dup {delivery.Duplicates} corrupt {delivery.Corrupt} errors {delivery.Errors}  {(exact ? "EXACT" : "NOT EXACT")}; "
                + $"faults injected here (client and seed) {(DataLanes.Get(client.System).Fuzzing?.Faults ?? 0) + (DataLanes.Get(seed.System).Fuzzing?.Faults ?? 0):N0}");
            return exact ? 0 : 1;
        }
        finally
        {
            lock (processes)
                foreach (var p in processes) p.Dispose();
            await PalmHost.StopNodeAsync(seed);
            File.Delete(configFile);
        }
    }

    /// <summary>A soak node in a child process, signalled and killed by its own PID only.</summary>
    private sealed class SoakProcess : IDisposable
    {
        private readonly Process _process;
        private readonly TaskCompletionSource _up = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private SoakProcess(Process process) => _process = process;

        public static async Task<SoakProcess> StartAsync(string[] args)
        {
            var info = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardInput = true, UseShellExecute = false };
            var host = Environment.ProcessPath!;
            info.FileName = host;
            if (Path.GetFileNameWithoutExtension(host) == "dotnet") info.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
            info.ArgumentList.Add("soak-node");
            foreach (var a in args) info.ArgumentList.Add(a);
            var process = new Process { StartInfo = info, EnableRaisingEvents = true };
            var node = new SoakProcess(process);
            process.OutputDataReceived += (_, e) =>
            {
                if (e.Data?.StartsWith("up ", StringComparison.Ordinal) == true) node._up.TrySetResult();
                else if (e.Data is not null) Console.WriteLine($"  [{process.Id}] {e.Data}");
            };
            process.Exited += (_, _) => node._up.TrySetException(new InvalidOperationException($"soak node {string.Join(' ', args)} exited"));
            process.Start();
            process.BeginOutputReadLine();
            await node._up.Task.WaitAsync(TimeSpan.FromSeconds(90));
            return node;
        }

        public void Kill()
        {
            if (!_process.HasExited) _process.Kill();
        }

        public void Signal(string signal)
        {
            if (_process.HasExited) return;
            using var kill = Process.Start("kill", [$"-{signal}", _process.Id.ToString()]);
            kill.WaitForExit();
        }

        public void Dispose()
        {
            try
            {
                Signal("CONT");
                if (!_process.HasExited) _process.Kill();
                _process.WaitForExit(10_000);
            }
            catch (InvalidOperationException)
            {
                // Never started or already reaped.
            }
            _process.Dispose();
        }
    }
}
