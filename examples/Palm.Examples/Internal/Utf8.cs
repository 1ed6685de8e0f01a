using System.Text;
using Palm.Client;

namespace Palm.Examples.Internal;

/// <summary>The examples' payloads are UTF-8 text, as pylm's are byte strings of ASCII.</summary>
internal static class Utf8
{
    public static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    public static string Text(ReadOnlyMemory<byte> payload) => Encoding.UTF8.GetString(payload.Span);

    public static string Text(byte[]? payload) => payload is null ? "<nothing>" : Encoding.UTF8.GetString(payload);

    /// <summary>A result as the examples print it: its payload as text, or the error it is.</summary>
    public static string Text(JobResult result) => result.IsError ? $"error: {result.Error}" : Text(result.Payload);

    /// <summary><paramref name="count"/> copies of <paramref name="text"/> (pylm's <c>repeat(b'a message', 10)</c>).</summary>
    public static byte[][] Repeat(string text, int count) => Enumerable.Range(0, count).Select(_ => Bytes(text)).ToArray();
}
