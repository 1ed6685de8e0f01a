using Palm.Servers;

namespace Palm.Bench.EndToEnd;

/// <summary>The server every end-to-end scenario uses: <c>pass</c> returns its payload (no copy), like the built-in <c>echo</c>.</summary>
public sealed class PassServer : RegisteredServer
{
    /// <summary>Returns the payload unchanged.</summary>
    [PalmFunction("pass")]
    public ReadOnlyMemory<byte> Pass(ReadOnlyMemory<byte> payload) => payload;
}

/// <summary>A deliberately slow last step: <c>slow</c> burns a fixed time per message, then returns its payload.</summary>
public sealed class SlowServer : RegisteredServer
{
    /// <summary>Microseconds each call spins; set from the command line of the node process.</summary>
    public static int SpinMicroseconds { get; set; } = 10;

    /// <summary>Spins for <see cref="SpinMicroseconds"/>, then returns the payload.</summary>
    [PalmFunction("slow")]
    public ReadOnlyMemory<byte> Slow(ReadOnlyMemory<byte> payload)
    {
        Spin(SpinMicroseconds);
        return payload;
    }

    /// <summary>Burns about <paramref name="microseconds"/> of CPU on the calling thread.</summary>
    public static void Spin(int microseconds)
    {
        var until = System.Diagnostics.Stopwatch.GetTimestamp() + microseconds * System.Diagnostics.Stopwatch.Frequency / 1_000_000;
        while (System.Diagnostics.Stopwatch.GetTimestamp() < until) Thread.SpinWait(10);
    }
}
