using System.Buffers.Binary;
using Palm.Servers;

namespace Palm.Bench.Butterfly;

/// <summary>The servers of the butterfly benchmark: one class per kind of work, so every figure uses its own leader.</summary>
public sealed class WaitServer : ButterflyServer
{
    /// <summary>I/O-bound work: waits 20 ms without using a thread, then returns the payload.</summary>
    [PalmFunction("wait")]
    public async Task<ReadOnlyMemory<byte>> Wait(ReadOnlyMemory<byte> payload)
    {
        await Task.Delay(20);
        return payload;
    }
}

/// <summary>CPU-bound work: the payload says how many iterations of <see cref="CpuWork.Burn"/> to run.</summary>
public sealed class BurnServer : ButterflyServer
{
    [PalmFunction("burn")]
    public byte[] Burn(ReadOnlyMemory<byte> payload)
    {
        var result = new byte[8];
        BinaryPrimitives.WriteDoubleLittleEndian(result, CpuWork.Burn(BinaryPrimitives.ReadInt32LittleEndian(payload.Span)));
        return result;
    }
}

/// <summary>A trivial function on a parallel server.</summary>
public sealed class TrivialButterflyServer : ButterflyServer
{
    [PalmFunction("same")]
    public ReadOnlyMemory<byte> Same(ReadOnlyMemory<byte> payload) => payload;
}

/// <summary>The same trivial function on a serial server, for comparison.</summary>
public sealed class TrivialSerialServer : RegisteredServer
{
    [PalmFunction("same")]
    public ReadOnlyMemory<byte> Same(ReadOnlyMemory<byte> payload) => payload;
}

/// <summary>Computation that no compiler can skip, calibrated to a duration at start.</summary>
public static class CpuWork
{
    public static double Burn(int iterations)
    {
        var x = 1.0;
        for (var i = 0; i < iterations; i++) x = Math.Sqrt(x + i) * 1.000001;
        return x;
    }

    /// <summary>Iterations of <see cref="Burn"/> that take about <paramref name="target"/> on one core of this machine.</summary>
    public static int Calibrate(TimeSpan target)
    {
        var iterations = 100_000;
        for (var round = 0; round < 6; round++)
        {
            var times = new List<double>();
            for (var i = 0; i < 5; i++)
            {
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                Burn(iterations);
                times.Add(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            var median = times.Order().ElementAt(times.Count / 2);
            iterations = (int)Math.Clamp(iterations * target.TotalMilliseconds / Math.Max(median, 0.01), 1_000, 1_000_000_000);
        }
        return iterations;
    }
}

/// <summary>The I/O-bound work of <see cref="WaitServer"/>, with up to 64 calls at once on each worker.</summary>
public sealed class ConcurrentWaitServer : ButterflyServer
{
    /// <summary>Waits 20 ms without using a thread, then returns the payload; 64 calls may wait at once.</summary>
    [PalmFunction("wait", MaxConcurrency = 64)]
    public async Task<ReadOnlyMemory<byte>> Wait(ReadOnlyMemory<byte> payload)
    {
        await Task.Delay(20);
        return payload;
    }
}
