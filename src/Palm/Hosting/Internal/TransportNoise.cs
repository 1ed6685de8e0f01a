using System.Text.RegularExpressions;
using Akka.Event;
using Palm.Security.Internal;

namespace Palm.Hosting.Internal;

/// <summary>What <see cref="PalmConsoleLogger"/> does with one event: print it, leave it out, or say it in one rate-limited line of <see cref="Kind"/>.</summary>
internal readonly record struct NoiseVerdict(bool Print, string? Kind = null, string? Line = null)
{
    public static readonly NoiseVerdict Keep = new(true);
    public static readonly NoiseVerdict Drop = new(false);

    /// <summary>Said instead in one line, at most one of <paramref name="kind"/> per <see cref="Diagnostics.RateLimitedLog.StrangerInterval"/>.</summary>
    public static NoiseVerdict OneLine(string kind, string line) => new(false, kind, line);

    /// <summary>Printed, as <paramref name="line"/> (the event's text without its stack trace).</summary>
    public static NoiseVerdict Shortened(string line) => new(true, null, line);
}

/// <summary>
/// Decides which of the events DotNetty logs for one refused connection (10-25 lines) reach the console: one line naming
/// the peer and the reason, at a bounded rate, since anyone may dial the port as often as they like
/// (docs/internals.md#transportnoise).
/// </summary>
internal static partial class TransportNoise
{
    /// <summary>The verdict for <paramref name="e"/>; <see cref="NoiseVerdict.Keep"/> for everything that is not transport noise.</summary>
    public static NoiseVerdict Classify(LogEvent e)
    {
        var text = e.Message?.ToString() ?? "";
        var server = e.LogSource.StartsWith("TcpServerHandler", StringComparison.Ordinal);
        if (server || e.LogSource.StartsWith("TcpClientHandler", StringComparison.Ordinal))
        {
            if (e is Warning && text.StartsWith("Rejected incoming connection from", StringComparison.Ordinal)) return NoiseVerdict.Drop;
            // DotNetty's note that a channel closing under a transport that shuts down had already left its group: a
            // short-lived client (the palm tool) prints it on exit, after its work is done, and there is nothing to act on.
            if (e is Warning && text.StartsWith("Unable to REMOVE channel", StringComparison.Ordinal)) return NoiseVerdict.Drop;
            var remote = Remote(text);
            if (e is Error && text.StartsWith("TLS handshake failed", StringComparison.Ordinal))
            {
                // The validator, or Akka's line about a missing certificate, named the peer and the reason already.
                if (Has(e.Cause, "RemoteCertificateValidationCallback")) return NoiseVerdict.Drop;
                var reason = Reason(e.Cause);
                return server
                    ? NoiseVerdict.OneLine("tls-refused", $"palm.tls: refused a connection from {remote}: {reason}.")
                    : NoiseVerdict.OneLine("tls-failed", $"palm.tls: the TLS handshake with {remote} failed: {reason}.");
            }
            if (e is Error && text.StartsWith("Error caught channel", StringComparison.Ordinal))
            {
                // The "TLS handshake failed" event that follows says it.
                if (IsTls(e.Cause)) return NoiseVerdict.Drop;
                if (IsType(e.Cause, "TooLongFrameException"))
                    return NoiseVerdict.OneLine("not-akka", $"palm: closed a connection from {remote}: it does not speak Akka.Remote's protocol "
                                                           + $"({TlsProbe.Innermost(e.Cause!)}): a client or node with palm.tls on, while this node has it off?");
            }
            return NoiseVerdict.Keep;
        }
        if (e.LogSource.StartsWith("TcpTransport", StringComparison.Ordinal) && e is Warning
            && text.StartsWith("Mutual TLS required but client did not provide a certificate from", StringComparison.Ordinal))
            return NoiseVerdict.OneLine("tls-refused", $"palm.tls: refused a connection from {Simplify(text[(text.LastIndexOf(' ') + 1)..])}: "
                                                       + "it presented no certificate (its palm.tls is off?).");
        // Akka.Remote's note, as a system terminates, that it could not wait for every outbound buffer: printed after a short-lived
        // client's work is done (the palm tool's result, a README client's line), with nothing to act on.
        if (e is Warning && text.StartsWith("Shutdown finished, but flushing might not have been successful", StringComparison.Ordinal))
            return NoiseVerdict.Drop;
        if (PalmConsoleLogger.IsGated(e))
        {
            // The cause is on the first line; the rest is its stack trace.
            var newline = text.IndexOf('\n');
            if (newline > 0) return NoiseVerdict.Shortened(text[..newline].TrimEnd() + "]");
        }
        return NoiseVerdict.Keep;
    }

    private static string Reason(Exception? cause) =>
        IsType(cause, "NotSslRecordException") ? "it does not speak TLS (its palm.tls is off, or it is not a Palm node)"
        : cause is null ? "no cause given" : TlsProbe.Innermost(cause);

    /// <summary>The peer of "[local->remote]" in DotNetty's channel description, without IPv4-mapped IPv6 decoration.</summary>
    private static string Remote(string text)
    {
        var match = ChannelPattern().Match(text);
        return match.Success ? Simplify(match.Groups["remote"].Value) : "a peer";
    }

    private static string Simplify(string endpoint) => MappedPattern().Replace(endpoint, "$1").Trim();

    private static bool IsTls(Exception? e) =>
        IsType(e, "NotSslRecordException") || IsType(e, "AuthenticationException") || Has(e, "TLS");

    private static bool IsType(Exception? e, string name) => Chain(e).Any(x => x.GetType().Name == name);

    private static bool Has(Exception? e, string text) => Chain(e).Any(x => x.Message.Contains(text, StringComparison.Ordinal));

    /// <summary>The exception and its inner ones (an aggregate's inner exception is its first: DotNetty wraps SslStream's errors in one).</summary>
    private static IEnumerable<Exception> Chain(Exception? e)
    {
        for (; e is not null; e = e.InnerException) yield return e;
    }

    [GeneratedRegex(@"\[(?<local>[^\]]*\]?:\d+)->(?<remote>[^\]]*\]?:\d+)\]")]
    private static partial Regex ChannelPattern();

    [GeneratedRegex(@"\[::ffff:([0-9.]+)\]")]
    private static partial Regex MappedPattern();
}
