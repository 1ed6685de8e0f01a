using System.Buffers.Binary;
using System.Text;
using Palm.Servers;

namespace Palm.Demo;

// The seed document's pipeline: client -> A -> B -> C -> B -> client. Payloads are trades:
// "id;notional;rate" as text in, a priced line as text out. Binary in between, because servers
// agree on their own formats (Palm moves bytes, not objects).

/// <summary>Server A: parses a trade line into binary (notional, rate, id).</summary>
public sealed class ParserServer : RegisteredServer
{
    [PalmFunction("parse")]
    public byte[] Parse(ReadOnlyMemory<byte> line)
    {
        var parts = Encoding.UTF8.GetString(line.Span).Split(';');
        if (parts.Length != 3) throw new FormatException($"A trade reads 'id;notional;rate', not '{Encoding.UTF8.GetString(line.Span)}'.");
        var trade = new byte[24];
        BinaryPrimitives.WriteDoubleLittleEndian(trade.AsSpan(0), double.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
        BinaryPrimitives.WriteDoubleLittleEndian(trade.AsSpan(8), double.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture));
        BinaryPrimitives.WriteInt64LittleEndian(trade.AsSpan(16), long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture));
        return trade;
    }
}

/// <summary>Server B, called twice: enriches a trade with a spread, and stores priced trades.</summary>
public sealed class BookServer : RegisteredServer
{
    private long _stored;

    [PalmFunction("enrich")]
    public byte[] Enrich(byte[] trade)
    {
        // The spread lives in B's cache (a client may set "spread"); 0.5% by default.
        var spread = Cache.GetAsync("spread").AsTask().Result is { Length: 8 } s ? BinaryPrimitives.ReadDoubleLittleEndian(s) : 0.005;
        var enriched = new byte[32];
        trade.CopyTo(enriched, 0);
        BinaryPrimitives.WriteDoubleLittleEndian(enriched.AsSpan(24), spread);
        return enriched;
    }

    [PalmFunction("store")]
    public byte[] Store(ReadOnlyMemory<byte> priced)
    {
        _stored++;
        var id = BinaryPrimitives.ReadInt64LittleEndian(priced.Span[16..]);
        var price = BinaryPrimitives.ReadDoubleLittleEndian(priced.Span[32..]);
        return Encoding.UTF8.GetBytes($"trade {id} priced {price:F2} (#{_stored} stored by {Name})");
    }
}

/// <summary>
/// Server C: prices a trade (discounts ten yearly cash flows): the heavy step of the pipeline, so it is
/// a parallel server: one leader and as many workers as there are nodes started with <c>--role worker</c>.
/// </summary>
public sealed class PricerServer : ButterflyServer
{
    [PalmFunction("price")]
    public byte[] Price(byte[] enriched) => Pricing.Price(enriched);
}

internal static class Pricing
{
    public static byte[] Price(byte[] enriched)
    {
        var notional = BinaryPrimitives.ReadDoubleLittleEndian(enriched);
        var rate = BinaryPrimitives.ReadDoubleLittleEndian(enriched.AsSpan(8));
        var spread = BinaryPrimitives.ReadDoubleLittleEndian(enriched.AsSpan(24));
        double pv = 0;
        for (var year = 1; year <= 10; year++) pv += notional * rate / Math.Pow(1 + rate + spread, year);
        pv += notional / Math.Pow(1 + rate + spread, 10);
        var priced = new byte[40];
        enriched.CopyTo(priced, 0);
        BinaryPrimitives.WriteDoubleLittleEndian(priced.AsSpan(32), pv);
        return priced;
    }
}
