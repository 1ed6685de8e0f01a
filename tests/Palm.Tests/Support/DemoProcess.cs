using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Palm.Tests.Support;

/// <summary>
/// One node of the demo pipeline in a separate OS process (<c>dotnet Palm.Demo.dll ...</c>), for tests
/// about processes. It is stopped by its own PID only: killed on dispose if still running.
/// </summary>
public sealed partial class DemoProcess : IDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource<string> _address = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<string> _output = [];
    private readonly List<string> _errors = [];

    private DemoProcess(string[] args, string program = "Palm.Demo.dll", bool interruptible = false, IReadOnlyDictionary<string, string>? environment = null)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, program);
        // A process started with SIGINT ignored (a test run launched in the background by a script, or under nohup)
        // passes that on, and .NET then never raises Ctrl+C: env puts SIGINT back to its default, as a terminal has it.
        var info = new ProcessStartInfo(interruptible ? "env" : "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (interruptible)
        {
            info.ArgumentList.Add("--default-signal=INT");
            info.ArgumentList.Add("dotnet");
        }
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) info.Environment[name] = value;
        info.ArgumentList.Add(dll);
        foreach (var a in args) info.ArgumentList.Add(a);
        _process = new Process { StartInfo = info, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        _process.ErrorDataReceived += (_, e) =>
        {
            OnLine(e.Data);
            if (e.Data is not null)
                lock (_output) _errors.Add(e.Data);
        };
        _process.Exited += (_, _) => _address.TrySetException(new InvalidOperationException(
            $"Palm.Demo {string.Join(' ', args)} exited with {_process.ExitCode} before it was up:\n{Output}"));
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>The process id (to kill it, and only it).</summary>
    public int Pid => _process.Id;

    /// <summary>Whether the process has ended (by itself, or killed).</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Everything the process printed so far.</summary>
    public string Output
    {
        get
        {
            lock (_output) return string.Join('\n', _output);
        }
    }

    /// <summary>What the process printed on standard error so far (also part of <see cref="Output"/>).</summary>
    public string Errors
    {
        get
        {
            lock (_output) return string.Join('\n', _errors);
        }
    }

    /// <summary>The process's exit code once it has ended (null while it runs).</summary>
    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    /// <summary>Waits up to <paramref name="timeout"/> for the process to end by itself; returns its exit code.</summary>
    /// <exception cref="TimeoutException">It still runs.</exception>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"Palm.Demo did not end within {timeout}:\n{Output}");
        }
        return _process.ExitCode;
    }

    /// <summary>Starts <c>Palm.Demo</c> with <paramref name="args"/> without waiting for anything (dispose kills it).</summary>
    public static DemoProcess Launch(params string[] args) => new(args);

    /// <summary>Starts <c>Palm.Demo</c> with <paramref name="args"/> and the environment variables <paramref name="environment"/> (dispose kills it).</summary>
    public static DemoProcess LaunchWith(IReadOnlyDictionary<string, string> environment, params string[] args) => new(args, environment: environment);

    /// <summary>Sends SIGINT (what Ctrl+C sends) to the process.</summary>
    public void Interrupt() => Signal("INT");

    /// <summary>Stops the process where it stands (SIGSTOP), as a debugger or a stalled VM would: it holds its sockets and answers nothing.</summary>
    public void Pause() => Signal("STOP");

    /// <summary>Lets a paused process run again (SIGCONT).</summary>
    public void Resume() => Signal("CONT");

    /// <summary>Sends SIG<paramref name="name"/> to the process, by its PID, with the system's <c>kill</c>.</summary>
    private void Signal(string name)
    {
        if (_process.HasExited) return;
        using var kill = Process.Start(new ProcessStartInfo("kill", [$"-{name}", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false })!;
        kill.WaitForExit();
        if (kill.ExitCode != 0 && !_process.HasExited) throw new InvalidOperationException($"kill -{name} {_process.Id} exited with {kill.ExitCode}.");
    }

    /// <summary>Starts another program built beside the tests (<paramref name="dll"/>, e.g. <c>Palm.ReadmeApp.dll</c>) with <paramref name="args"/>.</summary>
    public static DemoProcess LaunchProgram(string dll, params string[] args) => new(args, dll);

    /// <summary>
    /// Starts another program built beside the tests, as <see cref="LaunchProgram"/> does, with SIGINT handled as a
    /// terminal's Ctrl+C whatever this test run inherited (env execs dotnet: <see cref="Pid"/> is the program's).
    /// </summary>
    public static DemoProcess LaunchInterruptible(string dll, params string[] args) => new(args, dll, interruptible: true);

    /// <summary>The address of the process's "up at ADDRESS" line, once printed; fails if it exits first.</summary>
    public Task<string> UpAddress => _address.Task;

    /// <summary>Starts <c>Palm.Demo</c> with <paramref name="args"/> and waits for its "up at ADDRESS" line.</summary>
    public static async Task<(DemoProcess Process, string Address)> StartAsync(TimeSpan timeout, params string[] args)
    {
        var p = new DemoProcess(args);
        try
        {
            var address = await p._address.Task.WaitAsync(timeout);
            return (p, address);
        }
        catch
        {
            p.Dispose();
            throw;
        }
    }

    /// <summary>Runs <c>Palm.Demo</c> with <paramref name="args"/> to its end; returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunToEndAsync(TimeSpan timeout, params string[] args)
    {
        using var p = new DemoProcess(args);
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await p._process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"Palm.Demo {string.Join(' ', args)} did not finish within {timeout}:\n{p.Output}");
        }
        return (p._process.ExitCode, p.Output);
    }

    /// <summary>Kills the process at once (SIGKILL), as a crash would.</summary>
    public void Kill()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit(10_000);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        try
        {
            Kill();
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped.
        }
        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null) return;
        lock (_output) _output.Add(line);
        var m = UpLine().Match(line);
        if (m.Success) _address.TrySetResult(m.Groups[1].Value);
    }

    // "palm: node up at ADDRESS, founding a new cluster (...)" or "..., joined through seed node ...".
    [GeneratedRegex(@"^palm: .* up at (akka\.(?:ssl\.)?tcp://[^\s,]+)")]
    private static partial Regex UpLine();
}
