using System.Diagnostics.Metrics;
using Palm.Examples.Internal;
using Palm.Servers;

namespace Palm.Examples.Examples;

/// <summary>
/// pylm's perfcounting: workers stamp performance marks by hand (<c>self.perfcounter('10 messages')</c>). Palm counts
/// every server instance's messages in and out, errors and time spent in functions anyway: a client reads them with
/// <c>GetStatusAsync</c> (what <c>palm status</c> prints), and any metrics exporter reads them from the meter <c>Palm</c>.
/// </summary>
internal sealed class PerfCountingExample : IExample
{
    private const int Messages = 30;

    public string Name => "perfcounting";
    public string Mirrors => "perfcounting";
    public string Description => "a parallel server's counters, from the client's status call and from the Palm meter";

    public async Task<int> RunAsync(TextWriter output, CancellationToken cancellationToken)
    {
        await using var cluster = await ExampleClusters.StartAsync();
        await cluster.StartParallelAsync<MyWorker>("server", workers: 2);
        var client = await cluster.ConnectAsync("server");
        // The status lists the workers the client's directory knows: wait until it knows both, as the leader does.
        await client.WaitForServersAsync(["server"], cluster.Timeout, minWorkers: 2);

        var results = await client.RunAllAsync(["server.foo"], Utf8.Repeat("a message", Messages), cancellationToken);
        output.WriteLine($"{results.Count} results");

        var rows = (await client.GetStatusAsync(cancellationToken)).Servers.Where(s => s.Name == "server").ToArray();
        var leader = rows.Single(r => r.Role == "leader");
        var workers = rows.Where(r => r.Role == "worker").ToArray();
        var status = new[]
        {
            $"status, leader  : {leader.MessagesIn} in, {leader.MessagesOut} out, {leader.Errors} errors, {leader.Workers} workers",
            $"status, workers : {workers.Sum(w => w.MessagesIn)} in, {workers.Sum(w => w.MessagesOut)} out, {workers.Sum(w => w.Errors)} errors, "
                + $"time in functions {(workers.All(w => w.UserTime > TimeSpan.Zero) ? "counted" : "missing")}",
        };
        var meter = MessagesInByRole("server", cluster.Nodes.Select(n => n.Address).ToHashSet());
        var metered = $"meter Palm, palm.server.messages_in: leader {meter.GetValueOrDefault("leader")}, workers {meter.GetValueOrDefault("worker")}";
        foreach (var line in status.Append(metered)) output.WriteLine(line);

        return Expect.PerInput(output, results, Messages, 1) | Expect.Same(output,
            [
                $"status, leader  : {Messages} in, {Messages} out, 0 errors, 2 workers",
                $"status, workers : {Messages} in, {Messages} out, 0 errors, time in functions counted",
                $"meter Palm, palm.server.messages_in: leader {Messages}, workers {Messages}",
            ],
            status.Append(metered));
    }

    /// <summary>Collects <c>palm.server.messages_in</c> once, as an exporter would, for this example's nodes only.</summary>
    private static Dictionary<string, long> MessagesInByRole(string server, HashSet<string> nodes)
    {
        var byRole = new Dictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Palm" && instrument.Name == "palm.server.messages_in") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            var tag = new Dictionary<string, object?>(tags.ToArray());
            if (tag.GetValueOrDefault("palm.server") as string == server && tag.GetValueOrDefault("palm.node") is string node && nodes.Contains(node)
                && tag.GetValueOrDefault("palm.role") is string role)
                byRole[role] = byRole.GetValueOrDefault(role) + value;
        });
        listener.Start();
        listener.RecordObservableInstruments();
        return byRole;
    }

    private sealed class MyWorker : ButterflyServer
    {
        [PalmFunction("foo")]
        public byte[] Foo(byte[] message, MessageContext context) => Utf8.Bytes($"{context.Instance} processed {Utf8.Text(message)}");
    }
}
