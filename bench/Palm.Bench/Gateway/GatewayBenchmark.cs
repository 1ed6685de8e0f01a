using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Akka.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Palm.AspNetCore;
using Palm.Bench.EndToEnd;
using Palm.Client;
using Palm.TestKit;

namespace Palm.Bench.Gateway;

/// <summary>
/// The HTTP gateway beside the .NET client, in one run on one cluster (a seed and a server <c>s</c>, each its own actor
/// system on loopback): eval round trips one after another, and a streamed job's throughput (100-byte payloads, an
/// upload-first HttpClient with length-prefixed frames). The gateway is Kestrel on 127.0.0.1 with its own Palm client.
/// Every result is checked; a lost, duplicated or wrong one fails the run.
/// </summary>
public static class GatewayBenchmark
{
    private const string FramesType = "application/x-palm-frames";

    /// <summary>Runs the figures; returns 0 when every result was exact.</summary>
    /// <param name="args"><c>--evals N</c> (default 2,000), <c>--messages N</c> of the streamed job (default 1,000,000),
    /// <c>--repeat N</c> (default 3, the median is printed), <c>--warmup S</c> seconds untimed first (default 5).</param>
    public static async Task<int> RunAsync(string[] args)
    {
        var (evals, messages, repeat, warmup) = Parse(args);
        var quiet = ConfigurationFactory.ParseString("akka.loglevel = OFF\nakka.stdout-loglevel = OFF");
        Console.WriteLine($"Palm HTTP gateway beside the .NET client: {Environment.ProcessorCount} cores, .NET {Environment.Version}; "
            + "seed and server each their own actor system on loopback, the gateway Kestrel on 127.0.0.1 with a client of its own.");
        await using var cluster = await PalmTestCluster.StartAsync(quiet);
        await cluster.StartServerAsync<PassServer>("s");
        var client = await cluster.ConnectClientAsync();

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddPalmGateway(client: c =>
        {
            c.Contact = cluster.Seed.Address;
            c.Hocon = "akka.loglevel = OFF\nakka.stdout-loglevel = OFF";
        });
        await using var app = builder.Build();
        app.MapPalm();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        using var http = new HttpClient { BaseAddress = new Uri(address + "/"), Timeout = TimeSpan.FromMinutes(5) };
        var payload = new byte[100];
        new Random(21).NextBytes(payload);
        var exact = true;

        // Untimed: JIT, connections, tiered compilation of both paths.
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < warmup)
        {
            for (var i = 0; i < 200; i++)
            {
                await client.EvalAsync(["s.pass"], payload);
                await HttpEvalAsync(http, payload);
            }
            await ClientJobAsync(client, payload, 20_000);
            await HttpJobAsync(http, payload, 20_000);
        }

        Console.WriteLine();
        Console.WriteLine($"Eval round trip, one after another ({evals:N0} each, 100-byte payload), median of {repeat}");
        // Runs alternate (client, gateway, client, ...) so that neither gets the quieter moments of the machine.
        var (clientEvals, httpEvals) = (new List<Latency>(), new List<Latency>());
        for (var r = 0; r < repeat; r++)
        {
            clientEvals.Add(await Latencies(evals, async () => Check(await client.EvalAsync(["s.pass"], payload), payload)));
            httpEvals.Add(await Latencies(evals, async () => Check(await HttpEvalAsync(http, payload), payload)));
        }
        var (clientEval, httpEval) = (Median(clientEvals), Median(httpEvals));
        EvalLine(".NET client", clientEval);
        EvalLine("HTTP gateway", httpEval);
        Console.WriteLine($"  gateway / client : {httpEval.P50 / clientEval.P50:F2}x the median round trip");

        Console.WriteLine();
        Console.WriteLine($"Streamed job throughput ({messages:N0} payloads of 100 bytes), median of {repeat}");
        var (clientJobs, httpJobs) = (new List<JobRun>(), new List<JobRun>());
        for (var r = 0; r < repeat; r++)
        {
            clientJobs.Add(await ClientJobAsync(client, payload, messages));
            httpJobs.Add(await HttpJobAsync(http, payload, messages));
        }
        var clientJob = clientJobs.OrderBy(r => r.Seconds).ElementAt(repeat / 2);
        var httpJob = httpJobs.OrderBy(r => r.Seconds).ElementAt(repeat / 2);
        exact &= clientJobs.Concat(httpJobs).All(r => r.Exact);
        JobLine(".NET client", clientJob, messages);
        JobLine("HTTP gateway", httpJob, messages);
        Console.WriteLine($"  gateway / client : {clientJob.Seconds / httpJob.Seconds:F2}x the client's msg/s");
        Console.WriteLine($"Results: {(exact ? "every result exact" : "SOME RESULTS LOST, DUPLICATED OR WRONG")}.");
        await app.StopAsync();
        return exact ? 0 : 1;
    }

    private sealed record Latency(double P50, double P99, double PerSecond);

    private sealed record JobRun(double Seconds, int Results, bool Exact);

    private static Latency Median(List<Latency> runs) => runs.OrderBy(r => r.P50).ElementAt(runs.Count / 2);

    private static async Task<Latency> Latencies(int count, Func<Task> call)
    {
        var micros = new double[count];
        var total = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            var one = Stopwatch.GetTimestamp();
            await call();
            micros[i] = Stopwatch.GetElapsedTime(one).TotalMicroseconds;
        }
        var seconds = total.Elapsed.TotalSeconds;
        Array.Sort(micros);
        return new Latency(micros[count / 2], micros[(int)(count * 0.99)], count / seconds);
    }

    private static void Check(byte[]? result, byte[] payload)
    {
        if (result is null || !result.AsSpan().SequenceEqual(payload)) throw new InvalidOperationException("an eval returned a wrong result");
    }

    private static async Task<byte[]> HttpEvalAsync(HttpClient http, byte[] payload)
    {
        using var response = await http.PostAsync("eval/s.pass", new ByteArrayContent(payload));
        if (response.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"eval answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadAsByteArrayAsync();
    }

    private static async Task<JobRun> ClientJobAsync(PalmClient client, byte[] payload, int count)
    {
        var seen = new int[count];
        var exact = true;
        var clock = Stopwatch.StartNew();
        await foreach (var r in client.RunJob(["s.pass"], Enumerable.Repeat(payload, count)))
        {
            seen[r.InputIndex]++;
            exact &= !r.IsError && r.Payload.Span.SequenceEqual(payload);
        }
        return new JobRun(clock.Elapsed.TotalSeconds, count, exact && seen.All(s => s == 1));
    }

    /// <summary>An upload-first client: the whole body goes out, then the response is read (HttpClient over HTTP/1.1 does so).</summary>
    private static async Task<JobRun> HttpJobAsync(HttpClient http, byte[] payload, int count)
    {
        var frame = new byte[4 + payload.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(frame, (uint)payload.Length);
        payload.CopyTo(frame, 4);
        var clock = Stopwatch.StartNew();
        using var request = new HttpRequestMessage(HttpMethod.Post, "jobs/s.pass") { Content = new FramesContent(frame, count) };
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        if (response.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"job answered {(int)response.StatusCode}");
        await using var body = await response.Content.ReadAsStreamAsync();
        var seen = new int[count];
        var exact = true;
        var ended = false;
        var header = new byte[13];
        var buffer = new byte[payload.Length];
        while (await body.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false) == header.Length)
        {
            var length = BinaryPrimitives.ReadInt32LittleEndian(header);
            var input = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(4));
            var content = length == buffer.Length ? buffer : new byte[length];
            await body.ReadExactlyAsync(content);
            if (header[12] == 3) ended = true;
            else if (header[12] != 0 || !content.AsSpan().SequenceEqual(payload)) exact = false;
            else seen[input]++;
        }
        return new JobRun(clock.Elapsed.TotalSeconds, count, exact && ended && seen.All(s => s == 1));
    }

    private sealed class FramesContent : HttpContent
    {
        private readonly byte[] _frame;
        private readonly int _count;

        public FramesContent(byte[] frame, int count)
        {
            (_frame, _count) = (frame, count);
            Headers.ContentType = new MediaTypeHeaderValue(FramesType);
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var batch = new byte[_frame.Length * 512];
            for (var i = 0; i < 512; i++) _frame.CopyTo(batch, i * _frame.Length);
            for (var sent = 0; sent < _count; sent += 512)
                await stream.WriteAsync(batch.AsMemory(0, Math.Min(512, _count - sent) * _frame.Length));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = (long)_frame.Length * _count;
            return true;
        }
    }

    private static void EvalLine(string label, Latency l) =>
        Console.WriteLine($"  {label,-16} : median {l.P50,7:F0} us   p99 {l.P99,7:F0} us   {l.PerSecond,7:N0} evals/s");

    private static void JobLine(string label, JobRun r, int messages) =>
        Console.WriteLine($"  {label,-16} : {messages:N0} results in {r.Seconds,6:F2} s   {messages / r.Seconds,9:N0} msg/s   {(r.Exact ? "exact" : "NOT EXACT")}");

    private static (int Evals, int Messages, int Repeat, double Warmup) Parse(string[] args)
    {
        var (evals, messages, repeat, warmup) = (2_000, 1_000_000, 3, 5.0);
        for (var i = 0; i < args.Length; i++)
        {
            var ok = i + 1 < args.Length;
            var value = ok ? args[i + 1] : "";
            switch (args[i])
            {
                case "--evals" when ok && int.TryParse(value, CultureInfo.InvariantCulture, out evals) && evals > 0: i++; break;
                case "--messages" when ok && int.TryParse(value, CultureInfo.InvariantCulture, out messages) && messages > 0: i++; break;
                case "--repeat" when ok && int.TryParse(value, CultureInfo.InvariantCulture, out repeat) && repeat > 0: i++; break;
                case "--warmup" when ok && double.TryParse(value, CultureInfo.InvariantCulture, out warmup) && warmup >= 0: i++; break;
                default: throw new ArgumentException($"unknown or incomplete option '{args[i]}'.");
            }
        }
        return (evals, messages, repeat, warmup);
    }
}
