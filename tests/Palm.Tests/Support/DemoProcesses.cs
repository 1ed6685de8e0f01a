using Palm.TestKit;

namespace Palm.Tests.Support;

/// <summary>
/// The demo nodes one process test starts, all with the same extra HOCON (written to a temporary file and
/// passed with <c>--config</c>, over the test clusters' <see cref="PalmTestCluster.FastMembership"/>); disposing
/// it kills every one of them (by PID) and deletes the file.
/// </summary>
public sealed class DemoProcesses(string hocon, TimeSpan wait) : IDisposable
{
    private readonly string _config = Write($"{PalmTestCluster.FastMembership}\n{hocon}");
    private readonly List<DemoProcess> _processes = [];

    /// <summary>Failure detection that notices a killed process within seconds, so a test waits seconds, not tens.</summary>
    public const string FastFailureDetection = """
        akka.cluster.failure-detector.acceptable-heartbeat-pause = 3s
        palm.downing.stable-after = 2s
        akka.remote.watch-failure-detector.acceptable-heartbeat-pause = 3s
        """;

    private static string Write(string hocon)
    {
        var path = Path.Combine(Path.GetTempPath(), $"palm-processes-{Guid.NewGuid():N}.conf");
        File.WriteAllText(path, hocon);
        return path;
    }

    /// <summary>Starts <c>Palm.Demo</c> with <paramref name="args"/> and the shared HOCON; returns once it is up.</summary>
    public async Task<(DemoProcess Process, string Address)> StartAsync(params string[] args)
    {
        var started = await DemoProcess.StartAsync(wait, [.. args, "--config", _config]);
        lock (_processes) _processes.Add(started.Process);
        return started;
    }

    /// <summary>The process ids of the nodes started so far.</summary>
    public IReadOnlyList<int> Pids
    {
        get
        {
            lock (_processes) return _processes.Select(p => p.Pid).ToArray();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_processes)
            foreach (var p in _processes) p.Dispose();
        File.Delete(_config);
    }
}
