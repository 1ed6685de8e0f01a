using Akka.Configuration;

namespace Palm.Configuration;

/// <summary>
/// Checks settings against each other when a node or client starts. Each value may be fine on its own
/// and still contradict another: a payload limit above the transport's frame size passes Palm's check
/// and is then dropped by Akka.Remote with a log line on the sender only, and the job hangs. A
/// contradiction is a startup error naming both keys.
/// </summary>
internal static class SettingsCheck
{
    private const string FrameKey = "akka.remote.dot-netty.tcp.maximum-frame-size";

    /// <summary>Room an envelope needs besides its payloads: job header and route, and a few dozen bytes per message.</summary>
    internal static long EnvelopeOverhead(int batchMaxMessages) => 16 * 1024 + 64L * batchMaxMessages;

    /// <summary>Throws a <see cref="ConfigurationException"/> naming both keys of the first contradiction in <paramref name="config"/>.</summary>
    public static void Validate(Config config, PalmSettings settings)
    {
        // A job whose results stop is checked after the progress timeout and failed after twice that;
        // the sessions, which recover lost messages, must get their turn first.
        // Read here key by key (the client's and the lane's settings types live in higher layers).
        var progressTimeout = new SettingsReader(config, "palm.client").Duration("progress-timeout");
        var lane = new SettingsReader(config, "palm.lane");
        var resend = lane.Duration("resend-interval");
        if (progressTimeout <= 2 * resend)
            throw new ConfigurationException(
                $"palm.client.progress-timeout = {progressTimeout} contradicts palm.lane.resend-interval = {resend}: "
                + "envelopes lost in transit are sent again only after the resend interval, so jobs would fail before they could be recovered. "
                + "Make the progress timeout more than twice the resend interval.");

        var provider = config.GetString("akka.actor.provider", "");
        var remote = provider.Contains("remote", StringComparison.OrdinalIgnoreCase) || provider.Contains("cluster", StringComparison.OrdinalIgnoreCase);
        if (!remote) return;

        // Akka's TLS by hand, without Palm's: the data lanes would run without TLS beside it.
        if (config.GetBoolean("akka.remote.dot-netty.tcp.enable-ssl", false) && !new SettingsReader(config, "palm.tls").Boolean("enabled"))
            throw new ConfigurationException(
                "akka.remote.dot-netty.tcp.enable-ssl = on contradicts palm.tls.enabled = off: Palm's data lanes would carry envelopes without TLS "
                + "beside Akka.Remote's. Turn on palm.tls (certificate and trust; it turns on Akka.Remote's TLS itself) instead of enable-ssl.");
        if (!config.HasPath(FrameKey)) return;

        var frame = config.GetByteSize(FrameKey) ?? 128_000;
        var overhead = EnvelopeOverhead(settings.BatchMaxMessages);
        if (settings.MaxPayloadBytes + overhead > frame)
            throw new ConfigurationException(
                $"palm.max-payload-bytes = {settings.MaxPayloadBytes} contradicts {FrameKey} = {frame}: a payload that size plus its envelope ({overhead} bytes) "
                + $"would be dropped by Akka.Remote. Lower palm.max-payload-bytes to at most {frame - overhead}, or raise {FrameKey} to at least {settings.MaxPayloadBytes + overhead}.");
        if (settings.BatchMaxBytes + overhead > frame)
            throw new ConfigurationException(
                $"palm.batch.max-bytes = {settings.BatchMaxBytes} contradicts {FrameKey} = {frame}: a full batch plus its envelope ({overhead} bytes for "
                + $"palm.batch.max-messages = {settings.BatchMaxMessages}) would be dropped by Akka.Remote. Lower palm.batch.max-bytes, or raise {FrameKey}.");

        var lanePort = lane.Int("port", 0, 65535);
        var akkaPort = config.GetInt("akka.remote.dot-netty.tcp.port", 0);
        if (lane.Boolean("enabled") && lanePort != 0 && lanePort == akkaPort)
            throw new ConfigurationException(
                $"palm.lane.port = {lanePort} contradicts akka.remote.dot-netty.tcp.port = {akkaPort}: the data lane and Akka.Remote cannot listen on one port.");
    }
}
