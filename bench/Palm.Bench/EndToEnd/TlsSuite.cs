using Akka.Configuration;
using Palm.Bench.Baselines;
using Palm.Bench.Common;
using Palm.Security;

namespace Palm.Bench.EndToEnd;

/// <summary>
/// The <c>e2e --tls</c> figures: chain, eval and 64 KiB with Palm's mutual TLS on every port (Akka.Remote
/// and the data lanes, certificates made on the fly), beside plain Akka.NET without TLS and beside Palm
/// without TLS, all three started side by side and timed in alternation so they see the same machine.
/// </summary>
public static class TlsSuite
{
    /// <summary>Runs every selected TLS figure (chain, eval, 64k).</summary>
    public static async Task RunAsync(BenchOptions o)
    {
        var directory = Path.Combine(Path.GetTempPath(), "palm-bench-tls-" + Guid.NewGuid().ToString("N"));
        try
        {
            var files = PalmCertificates.CreateFiles(directory, ["node"], ["client"], "Palm Bench CA");
            var nodes = Tls(files, "node");
            var client = Tls(files, "client");
            Report.Note("palm (TLS): mutual TLS 1.2/1.3 on Akka.Remote and the data lanes, ECDSA P-256 certificates; akka: plain Akka.NET without TLS; "
                + "\"vs palm\" lines put Palm without TLS in the akka column");
            if (o.Runs("chain")) await Chain(o, nodes, client);
            if (o.Runs("eval")) await Eval(o, nodes, client);
            if (o.Runs("64k")) await Large(o, nodes, client);
        }
        finally
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // Still open by a terminating system: the OS cleans its temp folder.
            }
        }
    }

    private static Config Tls(PalmCertificateFiles files, string name) => ConfigurationFactory.ParseString($$"""
        palm.tls {
          enabled = on
          certificate = "{{files.Certificates.Single(c => c.Name == name).Path.Replace("\\", "\\\\")}}"
          trusted-ca = "{{files.CaCrt.Replace("\\", "\\\\")}}"
        }
        """);

    private static async Task Chain(BenchOptions o, Config nodes, Config client)
    {
        string[] servers = ["a", "b", "c"];
        await using var akka = await AkkaChain.StartAsync(100, window: 1000);
        await using var plain = await PalmPipeline.StartAsync(servers);
        await using var tls = await PalmPipeline.StartAsync(servers, nodes, client);
        var warm = Math.Min(o.Messages / 10, 100_000);
        await EndToEndSuite.Warm(o, () => akka.RunAsync(warm, EndToEndSuite.Stall));
        await EndToEndSuite.Warm(o, () => plain.RunJobAsync(warm, 100, null, EndToEndSuite.Stall));
        await EndToEndSuite.Warm(o, () => tls.RunJobAsync(warm, 100, null, EndToEndSuite.Stall));
        var (t, p, a) = await Alternate(o,
            () => tls.RunJobAsync(o.Messages, 100, null, EndToEndSuite.Stall),
            () => plain.RunJobAsync(o.Messages, 100, null, EndToEndSuite.Stall),
            () => akka.RunAsync(o.Messages, EndToEndSuite.Stall));
        Report.Print(new Figure("chain 100 B, TLS vs akka", "msg/s", t, a, true, 6.0, ">= 6x"));
        Report.Print(new Figure("chain 100 B, TLS vs palm", "msg/s", t, p with { Note = "akka column: palm without TLS" }, true, 0.6, ">= 0.6x"));
        Report.Note($"envelopes on lanes / through Akka.Remote per system (client, seed, servers): TLS {tls.LaneCounts()}; without TLS {plain.LaneCounts()}");
    }

    private static async Task Eval(BenchOptions o, Config nodes, Config client)
    {
        var rounds = (int)Math.Clamp(o.Messages / 200, 1000, 20_000);
        await using var akka = await AkkaPingPong.StartAsync(16);
        await using var plain = await PalmPipeline.StartAsync(["a"]);
        await using var tls = await PalmPipeline.StartAsync(["a"], nodes, client);
        await EndToEndSuite.Warm(o, async () => (await akka.RunAsync(1000, EndToEndSuite.Stall)).Delivery);
        await EndToEndSuite.Warm(o, async () => (await plain.EvalAsync(1000, 16)).Delivery);
        await EndToEndSuite.Warm(o, async () => (await tls.EvalAsync(1000, 16)).Delivery);

        var (tlsMicros, plainMicros, akkaMicros) = (new List<double>(), new List<double>(), new List<double>());
        Counts? tc = null, pc = null, ac = null;
        for (var i = 0; i < o.Repeat; i++)
        {
            var (am, ad) = await akka.RunAsync(rounds, EndToEndSuite.Stall);
            var (pm, pd) = await plain.EvalAsync(rounds, 16);
            var (tm, td) = await tls.EvalAsync(rounds, 16);
            akkaMicros.AddRange(am);
            plainMicros.AddRange(pm);
            tlsMicros.AddRange(tm);
            ac = ac is null ? Counts.Of(ad) : ac + Counts.Of(ad);
            pc = pc is null ? Counts.Of(pd) : pc + Counts.Of(pd);
            tc = tc is null ? Counts.Of(td) : tc + Counts.Of(td);
        }
        foreach (var (label, q) in new[] { ("median", 0.5), ("p99", 0.99) })
        {
            var t = new Measurement(Stats.Percentile(tlsMicros, q), tc!);
            var median = label == "median";
            Report.Print(new Figure($"eval 16 B {label}, TLS vs akka", "us", t, new Measurement(Stats.Percentile(akkaMicros, q), ac!, "akka: ping-pong, default batching"),
                false, median ? 1.3 : null, median ? "<= 1.3x" : "-"));
            Report.Print(new Figure($"eval 16 B {label}, TLS vs palm", "us", t, new Measurement(Stats.Percentile(plainMicros, q), pc!, "akka column: palm without TLS"),
                false, null, "-"));
        }
    }

    private static async Task Large(BenchOptions o, Config nodes, Config client)
    {
        const int size = 64 * 1024;
        const int window = 64;
        var count = Math.Max(o.Messages / 50, 1000);
        await using var akka = await AkkaOneWay.StartAsync(size, window, ackEvery: 8);
        await using var plain = await PalmPipeline.StartAsync(["a"]);
        await using var tls = await PalmPipeline.StartAsync(["a"], nodes, client);
        var warm = Math.Max(count / 10, 200);
        await EndToEndSuite.Warm(o, () => akka.RunAsync(warm, EndToEndSuite.Stall));
        await EndToEndSuite.Warm(o, () => plain.RunJobAsync(warm, size, window, EndToEndSuite.Stall));
        await EndToEndSuite.Warm(o, () => tls.RunJobAsync(warm, size, window, EndToEndSuite.Stall));
        var (t, p, a) = await Alternate(o,
            () => tls.RunJobAsync(count, size, window, EndToEndSuite.Stall),
            () => plain.RunJobAsync(count, size, window, EndToEndSuite.Stall),
            () => akka.RunAsync(count, EndToEndSuite.Stall));
        static Measurement MBps(Measurement m) => m with { Value = m.Value * size / 1e6 };
        Report.Print(new Figure("64 KiB c->A->c, TLS vs akka A->B", "MB/s", MBps(t), MBps(a), true, 1.2, ">= 1.2x"));
        Report.Note($"envelopes on lanes / through Akka.Remote per system (client, seed, servers): TLS {tls.LaneCounts()}; without TLS {plain.LaneCounts()}");
        Report.Print(new Figure("64 KiB, TLS vs palm", "MB/s", MBps(t), MBps(p) with { Note = "akka column: palm without TLS" }, true, null, "-"));
    }

    /// <summary>Timed runs of the three in turn, <see cref="BenchOptions.Repeat"/> times; the medians.</summary>
    private static async Task<(Measurement Tls, Measurement Plain, Measurement Akka)> Alternate(BenchOptions o,
        Func<Task<Measurement>> tls, Func<Task<Measurement>> plain, Func<Task<Measurement>> akka)
    {
        var (t, p, a) = (new List<Measurement>(), new List<Measurement>(), new List<Measurement>());
        for (var i = 0; i < o.Repeat; i++)
        {
            a.Add(await akka());
            EndToEndSuite.Collect();
            p.Add(await plain());
            EndToEndSuite.Collect();
            t.Add(await tls());
            EndToEndSuite.Collect();
        }
        return (Measurement.Median(t), Measurement.Median(p), Measurement.Median(a));
    }
}
