using System.Text;
using Palm.Servers;

namespace Palm.Tests.Support;

/// <summary>Text helpers: tests speak UTF-8 strings, Palm moves bytes.</summary>
public static class Text
{
    public static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);
    public static string Of(ReadOnlyMemory<byte> b) => Encoding.UTF8.GetString(b.Span);
}

/// <summary>A server with one function of every shape the issue names.</summary>
public sealed class WordsServer : RegisteredServer
{
    [PalmFunction("upper")]
    public byte[] Upper(byte[] text) => Text.Bytes(Text.Of(text).ToUpperInvariant());

    /// <summary>One output per word: zero, one or many.</summary>
    [PalmFunction("split")]
    public IEnumerable<byte[]> Split(ReadOnlyMemory<byte> text) =>
        Text.Of(text).Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(Text.Bytes);

    [PalmFunction("nothing")]
    public byte[]? Nothing(byte[] _) => null;

    [PalmFunction("boom")]
    public byte[] Boom(byte[] text) => throw new InvalidOperationException($"kaput on '{Text.Of(text)}'");

    /// <summary>Fails only for the payload "bad".</summary>
    [PalmFunction("picky")]
    public byte[] Picky(byte[] text) => Text.Of(text) == "bad" ? throw new FormatException("bad input") : text;

    [PalmFunction("later")]
    public async Task<byte[]> Later(byte[] text)
    {
        await Task.Yield();
        return Text.Bytes(Text.Of(text) + "!");
    }

    [PalmFunction("laterMany")]
    public async ValueTask<IEnumerable<ReadOnlyMemory<byte>>> LaterMany(ReadOnlyMemory<byte> text)
    {
        await Task.Yield();
        return [text, text];
    }

    [PalmFunction("tags")]
    public byte[] Tags(byte[] _, MessageContext context) =>
        Text.Bytes($"{context.Server}|{context.Session}|{context.CacheKey}|{context.Stage}|{context.InputIndex}");

    /// <summary>Reads the value stored in this server's cache under the job's cache key.</summary>
    [PalmFunction("fromCache")]
    public async Task<byte[]> FromCache(byte[] _, MessageContext context) =>
        await Cache.GetAsync(context.CacheKey!) ?? Text.Bytes("<none>");

    [PalmFunction("remember")]
    public async Task<byte[]> Remember(byte[] text, MessageContext context)
    {
        await Cache.AppendAsync(context.CacheKey ?? "log", text);
        return text;
    }
}

/// <summary>Adds a suffix naming the server, to see the path a message took.</summary>
public sealed class SuffixServer : RegisteredServer
{
    [PalmFunction("tag")]
    public byte[] Tag(byte[] text) => Text.Bytes($"{Text.Of(text)}>{Name}");
}

/// <summary>A stream hook that decides by payload: "skip" skips one step, "drop" is dropped, "done" finishes, "divert" goes to server y.</summary>
public sealed class RouterServer : RegisteredServer
{
    [PalmFunction("pass")]
    public byte[] Pass(byte[] text) => text;

    protected override NextHop OnOutput(MessageContext message, ReadOnlyMemory<byte> output) => Text.Of(output) switch
    {
        "skip" => NextHop.Skip(1),
        "drop" => NextHop.Drop,
        "done" => NextHop.Finish,
        "divert" => NextHop.Divert("y.tag"),
        _ => NextHop.Continue,
    };
}

/// <summary>Not a valid server: a function with an unsupported signature.</summary>
public sealed class BadSignatureServer : RegisteredServer
{
    [PalmFunction]
    public int Count(string text) => text.Length;
}
