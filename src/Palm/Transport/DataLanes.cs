using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Event;
using Akka.Remote;
using Palm.Cluster;
using Palm.Messages;
using Palm.Messages.Internal;
using Palm.Transport.Internal;

namespace Palm.Transport;

/// <summary>
/// Palm's data lanes on one actor system: the way every pipeline envelope leaves. A large envelope
/// for another system travels on a direct TCP connection to it (see <c>palm.lane</c> in
/// <c>hocon/reference.conf</c>); everything else, and everything while a lane is not up, goes through
/// Akka.Remote as a plain <c>Tell</c>. Receiving systems turn lane frames back into messages for
/// their targets, so actors cannot tell which way a message came.
/// </summary>
internal sealed class DataLanes : IExtension
{
    private readonly ExtendedActorSystem _system;
    private readonly ILoggingAdapter _log;
    private readonly ConcurrentDictionary<Address, LanePeer> _peers = new();
    private readonly LaneListener? _listener;
    private readonly PalmSerializer? _serializer;
    private readonly int _maxBodyBytes;
    private readonly LaneContext? _context;
    private volatile bool _stopping;

    public DataLanes(ExtendedActorSystem system)
    {
        _system = system;
        _log = Logging.GetLogger(system, "palm-lane");
        var config = system.Settings.Config;
        Settings = LaneSettings.Create(config);
        _maxBodyBytes = (int)Math.Min(int.MaxValue, config.GetByteSize("akka.remote.dot-netty.tcp.maximum-frame-size", 128 * 1024) ?? 128 * 1024);
        _serializer = system.Serialization.FindSerializerForType(typeof(Deliver)) as PalmSerializer;

        LaneInbox? inbox = null;
        var endpoint = new LaneEndpoint("", 0);
        if (Settings.Enabled && system.Provider is RemoteActorRefProvider && _serializer is not null
            && !config.GetBoolean("akka.remote.dot-netty.tcp.enable-ssl", false))
        {
            try
            {
                inbox = new LaneInbox(system, _serializer, _log);
                _listener = new LaneListener(BindAddress(system, Settings), Settings, _maxBodyBytes, inbox, _log);
                endpoint = new LaneEndpoint(system.Provider.DefaultAddress.Host!, _listener.Port);
            }
            catch (Exception e) when (e is SocketException or ArgumentException)
            {
                _log.Warning("Palm lane disabled on this node: cannot listen ({0}). Everything goes through Akka.Remote.", e.Message);
                inbox = null;
            }
        }
        Inbox = inbox;
        Enabled = _listener is not null;
        if (Enabled) _context = new LaneContext(Settings, _serializer!, _maxBodyBytes, _log, () => _stopping, Counters);
        system.SystemActorOf(Props.Create(() => new LaneActor(endpoint, inbox)), LaneActor.Name);
        system.RegisterOnTermination(Stop);
    }

    /// <summary>The lanes of <paramref name="system"/>, created (and listening) on first use.</summary>
    public static DataLanes Get(ActorSystem system) => system.WithExtension<DataLanes, DataLanesProvider>();

    /// <summary>The settings the lanes run with.</summary>
    public LaneSettings Settings { get; }

    /// <summary>Whether this system sends and receives on lanes (false: every envelope goes through Akka.Remote).</summary>
    public bool Enabled { get; }

    /// <summary>The port this system's lane listens on (0 when disabled).</summary>
    public int Port => _listener?.Port ?? 0;

    internal LaneInbox? Inbox { get; }

    internal LaneCounters Counters { get; } = new();

    internal LaneListener? Listener => _listener;

    internal IReadOnlyCollection<LanePeer> Peers => _peers.Values.ToArray();

    /// <summary>
    /// Sends <paramref name="message"/>, a Palm envelope carrying <paramref name="payloadBytes"/> payload
    /// bytes, to <paramref name="target"/>: on the lane to the target's system when that pays off and the
    /// lane is up, otherwise through Akka.
    /// </summary>
    public void Tell(IActorRef target, object message, IActorRef? sender, long payloadBytes)
    {
        if (!Enabled || payloadBytes < Settings.MinBytes || target is not RemoteActorRef)
        {
            target.Tell(message, sender);
            return;
        }
        var peer = _peers.GetOrAdd(target.Path.Address, static a => new LanePeer(a));
        if (peer.Connection is { } connection && connection.TryEnqueue(target, message, sender)) return;
        peer.ConnectIfDue(OpenAsync, Failed, Settings.RetryAfter);
        target.Tell(message, sender);
    }

    /// <summary>
    /// Sends <paramref name="message"/> (a Palm-serialized message) to <paramref name="target"/> on the lane
    /// whenever it is up, whatever its size: for messages that must keep their order with the others a
    /// sender puts on the same lane, such as a butterfly leader's work and its "have you answered
    /// everything" checks.
    /// </summary>
    public void Tell(IActorRef target, object message, IActorRef? sender) => Tell(target, message, sender, long.MaxValue);

    private async Task<LaneConnection> OpenAsync(LanePeer peer)
    {
        var remote = await _system.ActorSelection(new RootActorPath(peer.Address) / "system" / LaneActor.Name)
            .ResolveOne(Settings.ConnectTimeout).ConfigureAwait(false);
        var endpoint = await remote.Ask<LaneEndpoint>(LaneEndpointRequest.Instance, Settings.ConnectTimeout).ConfigureAwait(false);
        if (endpoint.Port == 0) throw new NoLaneException();
        var connection = await LaneConnection.OpenAsync(endpoint.Host, endpoint.Port, remote, _context!, (c, failure) => Closed(peer, c, failure))
            .ConfigureAwait(false);
        Interlocked.Increment(ref Counters.Opened);
        _log.Debug("Palm lane {0} open to {1} at {2}:{3}.", connection.Id, peer.Address, endpoint.Host, endpoint.Port);
        if (_stopping) connection.Close();
        return connection;
    }

    private void Failed(LanePeer peer, Exception e)
    {
        // Once per peer: nothing is lost, Akka.Remote carries on. A peer that runs without a lane
        // chose to; one whose lane cannot be reached (a firewall?) deserves a warning.
        if (_stopping || peer.CountFailure() != 1) return;
        if (e is NoLaneException)
            _log.Info("Palm lane to {0} not used: {1}", peer.Address, e.Message);
        else
            _log.Warning("Palm lane to {0} not available ({1}); Akka.Remote carries its envelopes, next try in {2}.", peer.Address, e.Message, Settings.RetryAfter);
    }

    private void Closed(LanePeer peer, LaneConnection connection, Exception? failure)
    {
        peer.Closed(connection, Settings.RetryAfter);
        if (failure is not null && !_stopping)
            _log.Info("Palm lane {0} to {1} closed ({2}); Akka.Remote carries its envelopes, next try in {3}.", connection.Id, peer.Address, failure.Message, Settings.RetryAfter);
    }

    private void Stop()
    {
        _stopping = true;
        _listener?.Dispose();
        foreach (var peer in _peers.Values) peer.Connection?.Close();
    }

    private static IPAddress BindAddress(ExtendedActorSystem system, LaneSettings settings)
    {
        var host = settings.BindHostname;
        if (string.IsNullOrEmpty(host)) host = system.Settings.Config.GetString("akka.remote.dot-netty.tcp.bind-hostname", "");
        if (string.IsNullOrEmpty(host)) host = system.Settings.Config.GetString("akka.remote.dot-netty.tcp.hostname", "");
        if (string.IsNullOrEmpty(host)) host = system.Provider.DefaultAddress.Host ?? "";
        if (IPAddress.TryParse(host, out var ip)) return ip;
        var addresses = Dns.GetHostAddresses(host);
        return addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.First();
    }
}

/// <summary>The peer answered that it has no lane.</summary>
internal sealed class NoLaneException() : Exception("the peer has no lane (palm.lane.enabled = off, TLS on, or it could not listen)");

/// <summary>Creates the <see cref="DataLanes"/> extension.</summary>
internal sealed class DataLanesProvider : ExtensionIdProvider<DataLanes>
{
    public override DataLanes CreateExtension(ExtendedActorSystem system) => new(system);
}
