using System.Text.RegularExpressions;
using Akka.Configuration;

namespace Palm.Configuration.Internal;

/// <summary>
/// Checks HOCON text for the mistakes Akka's parser lets through: it reads <c>a { b = 1</c> as if the brace were
/// closed, stops silently at a stray <c>}</c> (dropping every key after it), loops forever on an unclosed <c>[</c>
/// followed by more keys, and runs a string missing its closing quote into the next lines.
/// </summary>
internal static partial class HoconSyntax
{
    /// <summary>Throws a <see cref="ConfigurationException"/> naming <paramref name="origin"/> and the line of the first unbalanced bracket or unclosed string.</summary>
    public static void Check(string text, string origin)
    {
        var open = new Stack<(char Bracket, int Line)>();
        var line = 1;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            switch (c)
            {
                case '\n':
                    line++;
                    break;
                case '#':
                    i = EndOfLine(text, i);
                    break;
                case '/' when At(text, i + 1, '/'):
                    i = EndOfLine(text, i);
                    break;
                case '"' when text.AsSpan(i).StartsWith("\"\"\""):
                    var end = text.IndexOf("\"\"\"", i + 3, StringComparison.Ordinal);
                    if (end < 0) throw Error(origin, line, "a string opened with \"\"\" is never closed.");
                    line += text.AsSpan(i, end - i).Count('\n');
                    // A triple-quoted string may end in more quotes, which belong to it.
                    i = end + 2;
                    while (At(text, i + 1, '"')) i++;
                    break;
                case '"':
                    i = EndOfString(text, i, origin, line);
                    break;
                case '$' when At(text, i + 1, '{'):
                    // A substitution ${a.b}: its braces are not an object's.
                    var close = text.IndexOfAny(['}', '\n'], i + 2);
                    if (close < 0 || text[close] != '}') throw Error(origin, line, "a substitution ${... is not closed on its line.");
                    i = close;
                    break;
                case '{' or '[':
                    open.Push((c, line));
                    break;
                case '}' or ']':
                    var expected = c == '}' ? '{' : '[';
                    if (open.Count == 0) throw Error(origin, line, $"'{c}' closes nothing: no '{expected}' is open (every key after it would be dropped).");
                    var (bracket, openedAt) = open.Pop();
                    if (bracket != expected) throw Error(origin, line, $"'{c}' closes the '{bracket}' opened at line {openedAt}.");
                    break;
            }
        }
        if (open.Count > 0)
        {
            var (bracket, openedAt) = open.Pop();
            throw Error(origin, openedAt, $"'{bracket}' is never closed.");
        }
    }

    /// <summary>Parses <paramref name="text"/> after <see cref="Check"/>; a parser error becomes a <see cref="ConfigurationException"/> naming <paramref name="origin"/> (and the line, where the parser gives a position).</summary>
    public static Config Parse(string text, string origin)
    {
        Check(text, origin);
        try
        {
            return ConfigurationFactory.ParseString(text);
        }
        catch (Exception e) when (e is not ConfigurationException)
        {
            var position = Position().Match(e.Message);
            var where = position.Success && int.TryParse(position.Groups[1].Value, out var at) && at <= text.Length
                ? $", line {text.AsSpan(0, at).Count('\n') + 1}"
                : "";
            throw new ConfigurationException($"{origin}{where}: not valid HOCON: {e.Message.ReplaceLineEndings(" ").Trim()}", e);
        }
    }

    private static bool At(string text, int i, char c) => i < text.Length && text[i] == c;

    private static int EndOfLine(string text, int i)
    {
        var end = text.IndexOf('\n', i);
        // Stop before the newline, so that the loop counts it.
        return end < 0 ? text.Length : end - 1;
    }

    private static int EndOfString(string text, int i, string origin, int line)
    {
        for (var j = i + 1; j < text.Length; j++)
        {
            if (text[j] == '\\') j++;
            else if (text[j] == '"') return j;
            else if (text[j] == '\n') break;
        }
        throw Error(origin, line, "a string opened with \" is not closed on its line.");
    }

    private static ConfigurationException Error(string origin, int line, string what) => new($"{origin}, line {line}: {what}");

    [GeneratedRegex(@"at position (\d+)")]
    private static partial Regex Position();
}
