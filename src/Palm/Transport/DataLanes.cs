using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Event;
using Akka.Remote;
using Palm.Diagnostics;
using Palm.Messages;
using Palm.Security;
using Palm.Transport.Internal;

namespace Palm.Transport;

/// <summary>
/// Palm's data lanes on one actor system, the way every pipeline envelope leaves: envelopes for another system travel in a
/// session, on a direct TCP lane or through Akka.Remote, and are delivered once and in order, so actors cannot tell which
/// way a message came (docs/internals.md#datalanes).
/// </summary>
internal sealed class DataLanes : IExtension
{
    private readonly ExtendedActorSystem _system;
    private readonly ILoggingAdapter _log;
    private readonly ConcurrentDictionary<Address, LanePeer> _peers = new();
    private readonly Lock _peersGate = new();
    private readonly LaneContext? _context;
    private long _sessions;
    private Func<Address, bool>[] _admissions = [];
    private volatile bool _stopping;
    private IDisposable? _metrics;

    public DataLanes(ExtendedActorSystem system)
    {
        _system = system;
        _log = Logging.GetLogger(system, "palm-lane");
        var config = system.Settings.Config;
        Settings = LaneSettings.Create(config);
        var maxBodyBytes = (int)Math.Min(int.MaxValue, config.GetByteSize("akka.remote.dot-netty.tcp.maximum-frame-size", 128 * 1024) ?? 128 * 1024);
        var serializer = system.Serialization.FindSerializerForType(typeof(Deliver)) as IEnvelopeSerializer;

        LaneInbox? inbox = null;
        var endpoint = new LaneEndpoint("", 0, Guid.Empty);
        if (system.Provider is RemoteActorRefProvider && serializer is not null)
        {
            LaneSerializer.Register(system);
            var tls = PalmTls.GetSettings(system);
            Tls = tls.Enabled;
            _context = new LaneContext(Settings, serializer, maxBodyBytes, _log, () => _stopping, Counters, tls);
            // Sessions need a receiver whatever carries them: the inbox exists even without a listener.
            inbox = new LaneInbox(system, serializer, Receivers, _log, Settings.ReorderFrames, Settings.ReorderBytes);
            if (Settings.Enabled && !tls.Enabled && config.GetBoolean("akka.remote.dot-netty.tcp.enable-ssl", false))
            {
                // Akka's TLS configured by hand (nodes and clients refuse this at start): a lane without TLS beside it would undo it.
                _log.Warning("Palm lane disabled on this node: akka.remote.dot-netty.tcp.enable-ssl is on but palm.tls.enabled is off, "
                             + "and the lane runs TLS only with palm.tls. Everything goes through Akka.Remote.");
            }
            else if (Settings.Enabled)
            {
                IPAddress? bind = null;
                try
                {
                    bind = BindAddress(system, Settings);
                    Listener = new LaneListener(bind, Settings, maxBodyBytes, inbox, _log, tls);
                    endpoint = new LaneEndpoint(system.Provider.DefaultAddress.Host!, Listener.Port, Guid.Empty);
                }
                catch (SocketException e) when (bind is not null && PortInUse.FindBindFailure(e) is { } failure)
                {
                    // A port given on purpose (palm.lane.port) that another process holds is a mistake to name, not to work around.
                    throw new PalmBindException(PortInUse.Describe(bind.ToString(), Settings.Port, "Palm's data lane (palm.lane.port)", failure),
                        bind.ToString(), Settings.Port, e);
                }
                catch (Exception e) when (e is SocketException or ArgumentException)
                {
                    _log.Warning("Palm lane disabled on this node: cannot listen ({0}). Everything goes through Akka.Remote.", e.Message);
                }
            }
        }
        Inbox = inbox;
        Enabled = Listener is not null;
        // A system without remoting has no lanes to measure.
        if (_context is not null) _metrics = LaneMetrics.Register(this, system.Provider.DefaultAddress.ToString());
        system.SystemActorOf(Props.Create(() => new LaneActor(endpoint, inbox, () => Fuzzing, IsAdmitted)), LaneActor.Name);
        system.RegisterOnTermination(Stop);
        // Session actors watch their peers' lane actors; stopped before remoting goes down, they unwatch
        // cleanly instead of making Akka log an error with a stack trace per peer at every shutdown.
        CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate, "palm-lane-sessions", async () =>
        {
            var stops = _peers.Values.Select(p => p.Actor).Where(a => !a.IsNobody())
                .Select(a => a.GracefulStop(TimeSpan.FromSeconds(2)).ContinueWith(static _ => { }, TaskScheduler.Default));
            await Task.WhenAll(stops).ConfigureAwait(false);
            return Akka.Done.Instance;
        });
    }

    /// <summary>The lanes of <paramref name="system"/>, created (and listening) on first use.</summary>
    public static DataLanes Get(ActorSystem system) => system.WithExtension<DataLanes, DataLanesProvider>();

    public LaneSettings Settings { get; }

    /// <summary>Whether this system sends and receives on lane connections (false: every envelope goes through Akka.Remote, still in a session).</summary>
    public bool Enabled { get; }

    /// <summary>Whether lane connections run mutual TLS (<c>palm.tls.enabled</c>).</summary>
    public bool Tls { get; }

    /// <summary>The port this system's lane listens on (0 when disabled).</summary>
    public int Port => Listener?.Port ?? 0;

    internal LaneInbox? Inbox { get; }

    internal LaneCounters Counters { get; } = new();

    /// <summary>The actors of this system lanes deliver to; see <see cref="AddReceiver"/>.</summary>
    internal LaneReceivers Receivers { get; } = new();

    /// <summary>
    /// Lets envelopes from other systems reach <paramref name="actor"/> (a server, worker or client
    /// actor) until the result is disposed; lanes deliver to no other actor.
    /// </summary>
    internal IDisposable AddReceiver(IActorRef actor) => Receivers.Add(actor);

    internal LaneListener? Listener { get; }

    internal IReadOnlyCollection<LanePeer> Peers => _peers.Values.ToArray();

    /// <summary>
    /// Adds a rule for which systems this system's lane actor hands a lane secret to (with its port):
    /// a node admits the members of its cluster and its connected clients, a client the nodes of its
    /// cluster. A system is admitted when any rule admits it; while no rule is added, every system is
    /// (an actor system that is neither a node nor a client). Disposing the result removes the rule.
    /// </summary>
    internal IDisposable AddAdmission(Func<Address, bool> admits)
    {
        lock (_peersGate) _admissions = [.. _admissions, admits];
        return new Admission(this, admits);
    }

    /// <summary>Whether <paramref name="address"/> may be handed a lane secret (see <see cref="AddAdmission"/>).</summary>
    internal bool IsAdmitted(Address address)
    {
        var rules = Volatile.Read(ref _admissions);
        if (rules.Length == 0) return true;
        foreach (var admits in rules)
            if (admits(address)) return true;
        return false;
    }

    private sealed class Admission(DataLanes lanes, Func<Address, bool> admits) : IDisposable
    {
        public void Dispose()
        {
            lock (lanes._peersGate) lanes._admissions = lanes._admissions.Where(a => !ReferenceEquals(a, admits)).ToArray();
        }
    }

    /// <summary>The fault seam: tests and benchmarks inject faults into this system's lanes here (never by configuration); null stops it.</summary>
    internal LaneFuzzing? Fuzzing
    {
        get => _context?.Fuzzing;
        set
        {
            if (_context is not null) _context.Fuzzing = value;
        }
    }

    /// <summary>
    /// Sends <paramref name="message"/>, a Palm envelope carrying <paramref name="payloadBytes"/> payload
    /// bytes, to <paramref name="target"/>. For another actor system it goes in that system's session:
    /// on the lane when the lane is up (and the envelope carries at least <c>palm.lane.min-bytes</c>),
    /// otherwise through Akka.Remote; kept and sent again until confirmed either way.
    /// </summary>
    public void Tell(IActorRef target, object message, IActorRef? sender, long payloadBytes)
    {
        if (_context is null || target is not RemoteActorRef)
        {
            target.Tell(message, sender);
            return;
        }
        var lane = Enabled && payloadBytes >= Settings.MinBytes;
        var address = target.Path.Address;
        while (true)
        {
            var peer = _peers.TryGetValue(address, out var known) ? known : Start(address);
            var result = peer.Send(target, message, sender, lane);
            if (result == SendResult.Ended) continue;
            if (result == SendResult.Remote && lane && !_stopping) peer.ConnectIfDue(OpenAsync, Failed, Settings.RetryAfter);
            return;
        }
    }

    /// <summary>
    /// Sends <paramref name="message"/> (a Palm-serialized message) to <paramref name="target"/> on the lane
    /// whenever it is up, whatever its size: for messages that must keep their order with the others a
    /// sender puts on the same lane, such as a butterfly leader's work and its "have you answered
    /// everything" checks.
    /// </summary>
    public void Tell(IActorRef target, object message, IActorRef? sender) => Tell(target, message, sender, long.MaxValue);

    /// <summary>A new session with the system at <paramref name="address"/>, with its session actor.</summary>
    private LanePeer Start(Address address)
    {
        lock (_peersGate)
        {
            if (_peers.TryGetValue(address, out var known)) return known;
            var remoteLane = _system.Provider.ResolveActorRef(new RootActorPath(address) / "system" / LaneActor.Name);
            var peer = new LanePeer(address, remoteLane, Counters);
            peer.Actor = _system.SystemActorOf(Props.Create(() => new LaneSessionActor(peer, _context!, Ended)),
                "palm-lane-session-" + Interlocked.Increment(ref _sessions));
            _peers[address] = peer;
            return peer;
        }
    }

    /// <summary>The peer's lane actor terminated: the session ends, and the next envelope for that address starts a new one.</summary>
    private void Ended(LanePeer peer) => _peers.TryRemove(new KeyValuePair<Address, LanePeer>(peer.Address, peer));

    private async Task<LaneConnection> OpenAsync(LanePeer peer)
    {
        var endpoint = await peer.RemoteLane.Ask<LaneEndpoint>(LaneEndpointRequest.Instance, Settings.ConnectTimeout).ConfigureAwait(false);
        if (endpoint.Port == 0) throw new NoLaneException();
        var connection = await LaneConnection.OpenAsync(endpoint.Host, endpoint.Port, endpoint.Secret, peer, _context!, (c, failure) => Closed(peer, c, failure))
            .ConfigureAwait(false);
        Interlocked.Increment(ref Counters.Opened);
        _log.Debug("Palm lane of session {0} open to {1} at {2}:{3}{4}.", peer.Session, peer.Address, endpoint.Host, endpoint.Port, connection.IsTls ? " (TLS)" : "");
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
        if (_stopping) return;
        peer.Closed(connection, Settings.RetryAfter);
        if (failure is not null && !_stopping)
            _log.Info("Palm lane of session {0} to {1} closed ({2}); Akka.Remote carries its envelopes, next try in {3}.", peer.Session, peer.Address, failure.Message, Settings.RetryAfter);
    }

    private void Stop()
    {
        _stopping = true;
        _metrics?.Dispose();
        Listener?.Dispose();
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
internal sealed class NoLaneException() : Exception("the peer has no lane (palm.lane.enabled = off, Akka.Remote's TLS on without palm.tls, or it could not listen)");

/// <summary>Creates the <see cref="DataLanes"/> extension.</summary>
internal sealed class DataLanesProvider : ExtensionIdProvider<DataLanes>
{
    public override DataLanes CreateExtension(ExtendedActorSystem system) => new(system);
}
