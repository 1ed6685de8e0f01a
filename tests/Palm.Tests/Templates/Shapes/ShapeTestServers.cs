using System.Text;
using Palm.Servers;
using Palm.Tests.Templates.Reduce;

namespace Palm.Tests.Templates.Shapes;

/// <summary>Arithmetic on 8-byte integers: the branches of the shape tests.</summary>
public sealed class MathServer : RegisteredServer
{
    [PalmFunction("square")] public byte[] Square(byte[] x) => Int64s.Bytes(Int64s.Of(x) * Int64s.Of(x));
    [PalmFunction("neg")] public byte[] Neg(byte[] x) => Int64s.Bytes(-Int64s.Of(x));
    [PalmFunction("twice")] public IEnumerable<byte[]> Twice(byte[] x) => [x, x];

    /// <summary>Throws for 7: a branch whose function fails.</summary>
    [PalmFunction("picky")] public byte[] Picky(byte[] x) => Int64s.Of(x) == 7 ? throw new InvalidOperationException("7 is not welcome") : x;
}

/// <summary>A fork that leaves the choice to the default: every output to every branch.</summary>
public sealed class TeeServer : RegisteredServer
{
    [PalmFunction("pass")] public byte[] Pass(byte[] x) => x;
}

/// <summary>A fork whose hook splits the stream: odd values to branch "odd", even ones to "even", multiples of 10 to none.</summary>
public sealed class ParityServer : RegisteredServer
{
    [PalmFunction("pass")] public byte[] Pass(byte[] x) => x;

    /// <summary>Names a branch that no route has.</summary>
    [PalmFunction("lost")] public byte[] Lost(byte[] x) => x;

    protected override NextHop OnOutput(MessageContext message, ReadOnlyMemory<byte> output)
    {
        if (message.Step.Function == "lost") return NextHop.Branch("nowhere");
        var value = Int64s.Of(output);
        return value % 10 == 0 ? NextHop.Branch() : NextHop.Branch(value % 2 == 1 ? "odd" : "even");
    }
}

/// <summary>A hook that reshapes: the last output of a call is replaced, the first is doubled with a copy that says so.</summary>
public sealed class ReshapeServer : RegisteredServer
{
    [PalmFunction("three")] public IEnumerable<byte[]> Three(byte[] x) => [Encoding.UTF8.GetBytes("a"), Encoding.UTF8.GetBytes("b"), Encoding.UTF8.GetBytes("c")];

    protected override NextHop OnOutput(MessageContext message, ReadOnlyMemory<byte> output)
    {
        if (message.OutputIndex == message.OutputCount - 1) return NextHop.Continue.WithPayload(Encoding.UTF8.GetBytes($"last of {message.OutputCount}"));
        if (message.OutputIndex == 0) return NextHop.Several(NextHop.Continue, NextHop.Finish.WithPayload(Encoding.UTF8.GetBytes("copy of a")));
        return NextHop.Continue;
    }
}

/// <summary>Generators: 1..n (sync, async), a generator that fails after three, and a plain function.</summary>
public class NumbersServer : SourceServer
{
    private static long _yielded;

    /// <summary>Payloads yielded by every instance of this type so far (read by tests on one process).</summary>
    public static long Yielded => Interlocked.Read(ref _yielded);

    private static long _closed;

    /// <summary>Generators of <c>count</c> closed so far (disposed, finished or stopped).</summary>
    public static long Closed => Interlocked.Read(ref _closed);

    [PalmFunction("count")]
    public IEnumerable<byte[]> Count(byte[] n)
    {
        try
        {
            for (long i = 1; i <= Int64s.Of(n); i++)
            {
                Interlocked.Increment(ref _yielded);
                yield return Int64s.Bytes(i);
            }
        }
        finally
        {
            Interlocked.Increment(ref _closed);
        }
    }

    [PalmFunction("countAsync")]
    public async IAsyncEnumerable<byte[]> CountAsync(byte[] n)
    {
        for (long i = 1; i <= Int64s.Of(n); i++)
        {
            // Every 100th value comes after a real asynchronous step, as a paged query's would.
            if (i % 100 == 0) await Task.Yield();
            yield return Int64s.Bytes(i);
        }
    }

    [PalmFunction("failing")]
    public IEnumerable<byte[]> Failing(byte[] n)
    {
        yield return Int64s.Bytes(1);
        yield return Int64s.Bytes(2);
        yield return Int64s.Bytes(3);
        throw new IOException("the file ended early");
    }

    [PalmFunction("plain")] public byte[] Plain(byte[] x) => x;
}

/// <summary>The same source, started as a leader with workers.</summary>
public sealed class ParallelNumbersServer : NumbersServer;

/// <summary>A parallel fork: a butterfly whose default hook tees.</summary>
public sealed class ParallelTeeServer : ButterflyServer
{
    [PalmFunction("pass")] public byte[] Pass(byte[] x) => x;
}

/// <summary>Totals per branch, summarized once every branch is complete.</summary>
public class TotalSink : SinkServer
{
    private sealed class Totals
    {
        public readonly SortedDictionary<string, long> ByBranch = new(StringComparer.Ordinal);
        public long Messages;
    }

    [PalmFunction("add")] public byte[] Add(byte[] x) => x;

    protected override void Collect(MessageContext message, ReadOnlyMemory<byte> output)
    {
        var totals = StateOf<Totals>(message.JobId);
        var branch = message.Branch ?? "none";
        totals.ByBranch[branch] = totals.ByBranch.GetValueOrDefault(branch) + Int64s.Of(output);
        totals.Messages++;
    }

    protected override IEnumerable<byte[]>? OnUpstreamsComplete(Guid jobId)
    {
        var totals = StateOf<Totals>(jobId);
        yield return Encoding.UTF8.GetBytes($"{totals.Messages} messages; " + string.Join(", ", totals.ByBranch.Select(p => $"{p.Key}={p.Value}")));
    }
}

/// <summary>The same sink, started as a leader with workers.</summary>
public sealed class ParallelTotalSink : TotalSink;
