using System.Text;
using Palm.Servers;

namespace Palm.Demo;

/// <summary>
/// A farm of identical ~1 ms calls, the shape of a Monte Carlo or batch-scoring step: a butterfly server
/// whose workers an operator (or a test) starts, kills and replaces while jobs run.
/// </summary>
public sealed class FarmServer : ButterflyServer
{
    /// <summary>Works about a millisecond, then answers <c>done:INPUT</c>.</summary>
    [PalmFunction("work")]
    public byte[] Work(byte[] input)
    {
        // Sleeping rather than spinning: a test runs many worker processes on a 2-core machine.
        Thread.Sleep(1);
        return Encoding.UTF8.GetBytes("done:" + Encoding.UTF8.GetString(input));
    }
}
