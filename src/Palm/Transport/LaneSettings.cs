using Akka.Configuration;
using Palm.Configuration;

namespace Palm.Transport;

/// <summary>Settings of Palm's data lane, read from <c>palm.lane</c> (defaults and reasons in <c>hocon/reference.conf</c>).</summary>
internal sealed record LaneSettings
{
    private LaneSettings()
    {
    }

    /// <summary>Whether envelopes may travel on the lane instead of Akka.Remote.</summary>
    public bool Enabled { get; init; }

    /// <summary>Envelopes carrying fewer payload bytes than this stay on Akka.Remote.</summary>
    public int MinBytes { get; init; }

    /// <summary>Address the lane listens on; empty for the address Akka.Remote binds to.</summary>
    public string BindHostname { get; init; } = "";

    /// <summary>Port the lane listens on; 0 lets the OS pick.</summary>
    public int Port { get; init; }

    /// <summary>Send and receive buffer size of lane sockets.</summary>
    public int SocketBufferBytes { get; init; }

    /// <summary>Wait before trying the lane to a peer again after it failed.</summary>
    public TimeSpan RetryAfter { get; init; }

    /// <summary>How long a sender waits for a peer to tell it its lane address.</summary>
    public TimeSpan ConnectTimeout { get; init; }

    /// <summary>How long a sender waits for a confirmation before it sends an envelope again.</summary>
    public TimeSpan ResendInterval { get; init; }

    /// <summary>Most envelopes a receiver holds per session while an earlier one is missing.</summary>
    public int ReorderFrames { get; init; }

    /// <summary>Most body bytes a receiver holds per session while an earlier envelope is missing.</summary>
    public long ReorderBytes { get; init; }

    /// <summary>How long an accepted connection may take to send its handshake before it is closed.</summary>
    public TimeSpan HandshakeTimeout { get; init; }

    /// <summary>How long a connection that completed its handshake may go without a frame before it is closed.</summary>
    public TimeSpan IdleTimeout { get; init; }

    /// <summary>Inbound connections open at once (those still in their handshake included); more are closed at once.</summary>
    public int MaxConnections { get; init; }

    /// <summary>Inbound connections open at once from one remote IP address; more are closed at once.</summary>
    public int MaxConnectionsPerAddress { get; init; }

    /// <summary>Reads <c>palm.lane</c> from <paramref name="config"/> (with <see cref="PalmConfig.Reference"/> as its fallback).</summary>
    /// <exception cref="ConfigurationException">A value is malformed or out of range; the message names the key.</exception>
    public static LaneSettings Create(Config config)
    {
        var lane = new SettingsReader(config, "palm.lane");
        return new LaneSettings
        {
            Enabled = lane.Boolean("enabled"),
            MinBytes = (int)lane.Bytes("min-bytes", 0, int.MaxValue),
            BindHostname = lane.String("bind-hostname"),
            Port = lane.Int("port", 0, 65535),
            SocketBufferBytes = (int)lane.Bytes("socket-buffer-size", 1, int.MaxValue),
            RetryAfter = lane.Duration("retry-after"),
            ConnectTimeout = lane.Duration("connect-timeout"),
            ResendInterval = lane.Duration("resend-interval"),
            ReorderFrames = lane.Int("reorder-buffer-frames", 0),
            ReorderBytes = lane.Bytes("reorder-buffer-bytes", 0),
            HandshakeTimeout = lane.Duration("handshake-timeout"),
            IdleTimeout = lane.Duration("idle-timeout"),
            MaxConnections = lane.Int("max-connections", 1),
            MaxConnectionsPerAddress = lane.Int("max-connections-per-address", 1),
        };
    }
}
