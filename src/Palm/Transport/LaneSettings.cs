using Akka.Configuration;
using Palm.Configuration;
using Palm.Transport.Internal;

namespace Palm.Transport;

/// <summary>Settings of Palm's data lane, read from <c>palm.lane</c> (defaults and reasons in <c>hocon/reference.conf</c>).</summary>
/// <param name="Enabled">Whether large envelopes may travel on the lane instead of Akka.Remote.</param>
/// <param name="MinBytes">Envelopes carrying fewer payload bytes than this stay on Akka.Remote.</param>
/// <param name="BindHostname">Address the lane listens on; empty for the address Akka.Remote binds to.</param>
/// <param name="Port">Port the lane listens on; 0 lets the OS pick.</param>
/// <param name="SocketBufferBytes">Send and receive buffer size of lane sockets.</param>
/// <param name="RetryAfter">Wait before trying the lane to a peer again after it failed.</param>
/// <param name="ConnectTimeout">How long a sender waits for a peer to tell it its lane address.</param>
/// <param name="ResendInterval">How long a sender waits for a confirmation before it sends an envelope again.</param>
/// <param name="ReorderFrames">Most envelopes a receiver holds per session while an earlier one is missing.</param>
/// <param name="ReorderBytes">Most body bytes a receiver holds per session while an earlier envelope is missing.</param>
/// <param name="Fuzzing">Test-only fault injection (<c>palm.lane.fuzzing</c>); null when off.</param>
/// <param name="HandshakeTimeout">How long an accepted connection may take to send its handshake before it is closed.</param>
/// <param name="IdleTimeout">How long a connection that completed its handshake may go without a frame before it is closed.</param>
/// <param name="MaxConnections">Inbound connections open at once (those still in their handshake included); more are closed at once.</param>
/// <param name="MaxConnectionsPerAddress">Inbound connections open at once from one remote IP address; more are closed at once.</param>
internal sealed record LaneSettings(
    bool Enabled,
    int MinBytes,
    string BindHostname,
    int Port,
    int SocketBufferBytes,
    TimeSpan RetryAfter,
    TimeSpan ConnectTimeout,
    TimeSpan ResendInterval,
    int ReorderFrames,
    long ReorderBytes,
    LaneFuzzingSettings? Fuzzing,
    TimeSpan HandshakeTimeout,
    TimeSpan IdleTimeout,
    int MaxConnections,
    int MaxConnectionsPerAddress)
{
    /// <summary>Reads <c>palm.lane</c> from a configuration whose fallback includes <see cref="PalmConfig.Reference"/>.</summary>
    /// <exception cref="ConfigurationException">A value is out of range.</exception>
    public static LaneSettings Create(Config config)
    {
        var lane = (ReferenceEquals(config, PalmConfig.Reference) ? config : config.WithFallback(PalmConfig.Reference)).GetConfig("palm.lane");
        var settings = new LaneSettings(
            lane.GetBoolean("enabled"),
            (int)lane.GetByteSize("min-bytes")!.Value,
            lane.GetString("bind-hostname") ?? "",
            lane.GetInt("port"),
            (int)lane.GetByteSize("socket-buffer-size")!.Value,
            lane.GetTimeSpan("retry-after"),
            lane.GetTimeSpan("connect-timeout"),
            lane.GetTimeSpan("resend-interval"),
            lane.GetInt("reorder-buffer-frames"),
            lane.GetByteSize("reorder-buffer-bytes")!.Value,
            LaneFuzzingSettings.Create(lane.GetConfig("fuzzing")),
            lane.GetTimeSpan("handshake-timeout"),
            lane.GetTimeSpan("idle-timeout"),
            lane.GetInt("max-connections"),
            lane.GetInt("max-connections-per-address"));
        if (settings.MinBytes < 0 || settings.Port is < 0 or > 65535 || settings.SocketBufferBytes < 1
            || settings.RetryAfter <= TimeSpan.Zero || settings.ConnectTimeout <= TimeSpan.Zero || settings.ResendInterval <= TimeSpan.Zero
            || settings.ReorderFrames < 0 || settings.ReorderBytes < 0)
            throw new ConfigurationException("palm.lane: min-bytes, reorder-buffer-frames and reorder-buffer-bytes must not be negative, port must be 0-65535, "
                                             + "and socket-buffer-size, retry-after, connect-timeout and resend-interval must be positive.");
        if (settings.HandshakeTimeout <= TimeSpan.Zero)
            throw new ConfigurationException($"palm.lane.handshake-timeout must be positive (it is {settings.HandshakeTimeout}).");
        if (settings.IdleTimeout <= TimeSpan.Zero)
            throw new ConfigurationException($"palm.lane.idle-timeout must be positive (it is {settings.IdleTimeout}).");
        if (settings.MaxConnections < 1)
            throw new ConfigurationException($"palm.lane.max-connections must be at least 1 (it is {settings.MaxConnections}).");
        if (settings.MaxConnectionsPerAddress < 1)
            throw new ConfigurationException($"palm.lane.max-connections-per-address must be at least 1 (it is {settings.MaxConnectionsPerAddress}).");
        return settings;
    }
}
