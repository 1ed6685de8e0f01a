using System.Globalization;
using Palm.Examples.Internal;
using Palm.Servers;

namespace Palm.Examples.Examples;

/// <summary>
/// The seed document's merge through the cache: two independent streams meet in a target server. Stream A (quotes)
/// stores each message in the target's cache under its key as it arrives; stream B (orders) joins each of its messages
/// with the stored one. An order whose quote has not arrived is an error result naming the missing key: the job
/// goes on, and the order can be sent again once stream A has brought the quote.
/// </summary>
internal sealed class MergeExample : IExample
{
    public string Name => "merge";
    public string Mirrors => "none; the seed document's merge of two streams through a cache";
    public string Description => "stream A stores quotes in book's cache as they come; stream B joins orders with them";

    public async Task<int> RunAsync(TextWriter output, CancellationToken cancellationToken)
    {
        // The orders sent before their quotes fail on purpose: leave their stack traces out of the output.
        await using var cluster = await ExampleClusters.StartAsync(ServerLogLines.Config);
        await cluster.StartServerAsync<Book>("book");
        var client = await cluster.ConnectAsync("book");
        byte[][] quotes = [Utf8.Bytes("EURUSD 1.10"), Utf8.Bytes("GBPUSD 1.25")];
        byte[][] orders = [Utf8.Bytes("EURUSD 1000"), Utf8.Bytes("GBPUSD 500")];

        // Stream B first: nothing to join with yet.
        var early = await client.RunAllAsync(["book.join"], orders, cancellationToken);
        var stored = await client.RunAllAsync(["book.store"], quotes, cancellationToken);
        var joined = await client.RunAllAsync(["book.join"], orders, cancellationToken);
        var lines = early.Select(r => $"Stream B before A: {Error(r)}")
            .Concat(stored.Select(r => $"Stream A: {Utf8.Text(r)}"))
            .Concat(joined.Select(r => $"Stream B: {Utf8.Text(r)}"))
            .ToArray();
        foreach (var line in lines) output.WriteLine(line);

        return Expect.Same(output,
            [
                "Stream B before A: book.join failed: no quote under key 'quote:EURUSD' yet",
                "Stream B before A: book.join failed: no quote under key 'quote:GBPUSD' yet",
                "Stream A: stored quote:EURUSD = 1.10",
                "Stream A: stored quote:GBPUSD = 1.25",
                "Stream B: 1000 EURUSD at 1.10 = 1100.00",
                "Stream B: 500 GBPUSD at 1.25 = 625.00",
            ],
            lines);
    }

    private static string Error(Palm.Client.JobResult result) =>
        result.Error is { } e ? $"{e.Server}.{e.Function} failed: {e.Message}" : $"no error but '{Utf8.Text(result.Payload)}'";

    /// <summary>The target server: its cache holds stream A's quotes, keyed by currency pair.</summary>
    private sealed class Book : RegisteredServer
    {
        private static string Key(string pair) => $"quote:{pair}";

        [PalmFunction("store")]
        public async Task<byte[]> Store(byte[] quote)
        {
            var (pair, price) = Split(quote);
            await Cache.SetAsync(Utf8.Bytes(price), Key(pair));
            return Utf8.Bytes($"stored {Key(pair)} = {price}");
        }

        [PalmFunction("join")]
        public async Task<byte[]> Join(byte[] order)
        {
            var (pair, amount) = Split(order);
            var price = await Cache.GetAsync(Key(pair)) ?? throw new KeyNotFoundException($"no quote under key '{Key(pair)}' yet");
            var total = decimal.Parse(amount, CultureInfo.InvariantCulture) * decimal.Parse(Utf8.Text(price), CultureInfo.InvariantCulture);
            return Utf8.Bytes(string.Create(CultureInfo.InvariantCulture, $"{amount} {pair} at {Utf8.Text(price)} = {total:F2}"));
        }

        private static (string Pair, string Value) Split(byte[] message) => Utf8.Text(message).Split(' ') is [var pair, var value]
            ? (pair, value)
            : throw new FormatException($"'{Utf8.Text(message)}' is not 'PAIR VALUE'.");
    }
}
