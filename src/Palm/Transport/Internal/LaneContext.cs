using Akka.Event;
using Palm.Diagnostics;
using Palm.Security;

namespace Palm.Transport.Internal;

/// <summary>What every lane session and connection of one system shares.</summary>
internal sealed class LaneContext(LaneSettings settings, IEnvelopeSerializer serializer, int maxBodyBytes, ILoggingAdapter log, Func<bool> stopping, LaneCounters counters,
    PalmTlsSettings? tls = null, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    private LaneFuzzing? _fuzzing;

    public LaneSettings Settings { get; } = settings;

    /// <summary>Milliseconds on the lanes' clock (a <see cref="TimeProvider"/>, injected by tests): when frames were sent, and which are overdue.</summary>
    public long NowMs() => _time.NowMs();
    public IEnvelopeSerializer Serializer { get; } = serializer;

    /// <summary>Largest body a frame may have: Akka.Remote's <c>maximum-frame-size</c>, which a resend must fit in too.</summary>
    public int MaxBodyBytes { get; } = maxBodyBytes;

    /// <summary>The arrays outbound frame bodies are kept in until confirmed.</summary>
    public FrameBodyPool BodyPool { get; } = new(maxBodyBytes);

    public ILoggingAdapter Log { get; } = log;
    public Func<bool> Stopping { get; } = stopping;
    public LaneCounters Counters { get; } = counters;

    /// <summary>Mutual TLS every outbound connection runs before its handshake (<c>palm.tls</c>); null when off.</summary>
    public PalmTlsSettings? Tls { get; } = tls is { Enabled: true } ? tls : null;

    /// <summary>Fault injection for tests (null: none); tests may switch it while traffic flows.</summary>
    public LaneFuzzing? Fuzzing
    {
        get => Volatile.Read(ref _fuzzing);
        set => Volatile.Write(ref _fuzzing, value);
    }
}

/// <summary>Totals over every lane session and connection of a system.</summary>
internal sealed class LaneCounters
{
    /// <summary>Frames written to lane sockets.</summary>
    public long Sent;

    /// <summary>Envelopes sent through Akka.Remote the first time (no lane connection took them).</summary>
    public long ViaRemote;

    /// <summary>Envelopes sent again through Akka.Remote: a connection broke before confirming them, or no confirmation came in time.</summary>
    public long Resent;

    /// <summary>Envelopes the receiver confirmed.</summary>
    public long Confirmed;

    /// <summary>Envelopes dropped unconfirmed because their receiving system is gone.</summary>
    public long Abandoned;

    /// <summary>Connections opened.</summary>
    public long Opened;
}
