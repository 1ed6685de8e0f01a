using Akka.Event;
using Palm.Examples.Internal;
using Palm.Servers;

namespace Palm.Examples.Examples;

/// <summary>
/// pylm's logging: servers log through <c>self.logger</c> at a level set per server. A Palm server's <c>Log</c> is an
/// Akka logger named <c>palm.server.NAME</c>; its lines go wherever the node's Akka loggers send them (standard out by
/// default, Microsoft.Extensions.Logging in a generic host), at the level of <c>akka.loglevel</c> (WARNING by default).
/// Here the leader's stream hook logs every tenth result it forwards, and the example prints the leader's log lines
/// after the results.
/// </summary>
internal sealed class LoggingExample : IExample
{
    private const int Messages = 30;
    private const int Every = 10;

    public string Name => "logging";
    public string Mirrors => "logging";
    public string Description => "a server's Log: the leader logs every tenth result its workers return";

    public async Task<int> RunAsync(TextWriter output, CancellationToken cancellationToken)
    {
        await using var cluster = await ExampleClusters.StartAsync(ServerLogLines.Config);
        var leader = await cluster.StartParallelAsync<MyServer>("server", workers: 2);
        var client = await cluster.ConnectAsync("server");
        var logs = ServerLogLines.Watch(leader.System);
        try
        {
            var results = await client.RunAllAsync(["server.foo"], Utf8.Repeat("a message", Messages), cancellationToken);
            foreach (var result in results) output.WriteLine(Utf8.Text(result));
            // Loggers run on their own: the last line may come a moment after the last result.
            var lines = new List<string>();
            for (var i = 0; i < Messages / Every; i++) lines.Add(await logs.ReadAsync(cancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(10), cancellationToken));
            foreach (var line in lines) output.WriteLine(line);

            return Expect.PerInput(output, results, Messages, 1)
                | Expect.FromWorkers(output, results.Select(Utf8.Text), "", "server", " processed a message")
                | Expect.Same(output, Enumerable.Range(1, Messages / Every).Select(i => $"log WARNING palm.server.server: Forwarded {i * Every} results"), lines);
        }
        finally
        {
            ServerLogLines.Unwatch(leader.System);
        }
    }

    private sealed class MyServer : ButterflyServer
    {
        private int _forwarded;

        [PalmFunction("foo")]
        public byte[] Foo(byte[] message, MessageContext context) => Utf8.Bytes($"{context.Instance} processed {Utf8.Text(message)}");

        // The stream hook runs on the leader, for every output a worker returns.
        protected override NextHop OnOutput(MessageContext message, ReadOnlyMemory<byte> output)
        {
            if (++_forwarded % Every == 0) Log.Warning("Forwarded {0} results", _forwarded);
            return NextHop.Continue;
        }
    }
}
