using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Akka.Event;

using Palm.Diagnostics;
using Palm.Security;

namespace Palm.Transport.Internal;

/// <summary>
/// Accepts lane connections and reads them asynchronously (<see cref="InboundLane"/>) into the <see cref="LaneInbox"/>.
/// Whoever can reach the port gets bounded resources, and with TLS every connection must first pass mutual TLS
/// (docs/internals.md#lanelistener).
/// </summary>
internal sealed class LaneListener : IDisposable
{
    /// <summary>Connections the OS may queue before they are accepted: bursts of peers connecting at once are not dropped.</summary>
    private const int Backlog = 1024;

    private readonly Socket _listener;
    private readonly ConcurrentDictionary<InboundLane, byte> _open = new();
    private readonly Dictionary<IPAddress, int> _perAddress = new();
    private readonly Timer _sweep;
    private volatile bool _disposed;
    private int _openCount;
    private long _accepted;
    private long _refused;
    private long _tlsRefused;
    private long _refusedHandshakes;

    public LaneListener(IPAddress bind, LaneSettings settings, int maxBodyBytes, LaneInbox inbox, ILoggingAdapter log, PalmTlsSettings? tls = null)
    {
        Settings = settings;
        Tls = tls is { Enabled: true } ? tls : null;
        MaxBodyBytes = maxBodyBytes;
        Inbox = inbox;
        Log = new RateLimitedLog(log, RateLimitedLog.StrangerInterval);
        _listener = new Socket(bind.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // No ReuseAddress: on Linux .NET maps it to SO_REUSEPORT too, which would let a second process listen
            // on a fixed lane port beside this one. .NET's Bind sets SO_REUSEADDR alone, so a restart still binds over
            // the connections a stopped process left in TIME_WAIT.
            _listener.Bind(new IPEndPoint(bind, settings.Port));
            _listener.Listen(Backlog);
        }
        catch
        {
            _listener.Dispose();
            throw;
        }
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        // One timer for every connection's deadline, a quarter of the shorter timeout apart (at most 1 s).
        var shorter = settings.HandshakeTimeout < settings.IdleTimeout ? settings.HandshakeTimeout : settings.IdleTimeout;
        var every = TimeSpan.FromMilliseconds(Math.Clamp(shorter.TotalMilliseconds / 4, 10, 1000));
        _sweep = new Timer(_ => Sweep(), null, every, every);
        _ = AcceptLoopAsync();
    }

    public int Port { get; }

    /// <summary>Connections accepted so far (each one a lane from some peer), not counting those refused.</summary>
    public long Accepted => Interlocked.Read(ref _accepted);

    /// <summary>Connections closed at once because a cap was reached.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Connections closed because they did not complete a mutual TLS handshake with a trusted certificate (TLS on).</summary>
    public long TlsRefused => Interlocked.Read(ref _tlsRefused);
    /// <summary>Connections closed after their handshake because it presented no secret this system handed out, or a session of another system.</summary>
    public long RefusedHandshakes => Interlocked.Read(ref _refusedHandshakes);

    /// <summary>Inbound connections open now, those still in their handshake included.</summary>
    public int OpenConnections => Volatile.Read(ref _openCount);

    internal LaneSettings Settings { get; }

    /// <summary>The mutual TLS every connection must run first; null when off.</summary>
    internal PalmTlsSettings? Tls { get; }

    internal int MaxBodyBytes { get; }

    internal LaneInbox Inbox { get; }

    internal RateLimitedLog Log { get; }

    internal bool IsRunning => !_disposed;

    /// <summary>Closes every inbound connection at once, as a network failure would (for tests).</summary>
    public void BreakConnections()
    {
        foreach (var connection in _open.Keys) connection.Abort();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_disposed)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync().ConfigureAwait(false);
            }
            catch (Exception) when (_disposed)
            {
                return;
            }
            catch (SocketException e)
            {
                Log.Log(LogLevel.WarningLevel, "accept", "Palm lane: accepting a connection failed: {0}", e.Message);
                // Out of descriptors, say: give the node a moment instead of spinning on the error.
                await Task.Delay(10).ConfigureAwait(false);
                continue;
            }
            Admit(socket);
        }
    }

    private void Admit(Socket socket)
    {
        IPAddress remote;
        try
        {
            remote = ((IPEndPoint)socket.RemoteEndPoint!).Address;
            if (remote.IsIPv4MappedToIPv6) remote = remote.MapToIPv4();
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            Abort(socket);
            return;
        }
        if (Count(remote) is { } refusal)
        {
            Interlocked.Increment(ref _refused);
            Log.Log(LogLevel.WarningLevel, "refused", "Palm lane: refused a connection from {0}: {1}", remote, refusal);
            Abort(socket);
            return;
        }
        Interlocked.Increment(ref _accepted);
        var connection = new InboundLane(this, socket, remote);
        _open[connection] = 0;
        // Disposed meanwhile: the connection fails its first read and releases itself.
        if (_disposed) connection.Abort();
        _ = connection.RunAsync();
    }

    /// <summary>Counts a connection from <paramref name="remote"/> against the caps; returns why not when one is reached.</summary>
    private string? Count(IPAddress remote)
    {
        lock (_perAddress)
        {
            if (_openCount >= Settings.MaxConnections)
                return $"{_openCount} lane connections are open (palm.lane.max-connections = {Settings.MaxConnections})";
            _perAddress.TryGetValue(remote, out var fromRemote);
            if (fromRemote >= Settings.MaxConnectionsPerAddress)
                return $"{fromRemote} lane connections from that address are open (palm.lane.max-connections-per-address = {Settings.MaxConnectionsPerAddress})";
            _perAddress[remote] = fromRemote + 1;
            Volatile.Write(ref _openCount, _openCount + 1);
            return null;
        }
    }

    /// <summary>A connection failed its TLS handshake.</summary>
    internal void CountTlsRefusal() => Interlocked.Increment(ref _tlsRefused);
    internal void CountRefusedHandshake() => Interlocked.Increment(ref _refusedHandshakes);

    /// <summary>A connection's read loop ended: it no longer counts against the caps.</summary>
    internal void Release(InboundLane connection)
    {
        if (!_open.TryRemove(connection, out _)) return;
        lock (_perAddress)
        {
            var fromRemote = _perAddress[connection.Remote] - 1;
            if (fromRemote == 0) _perAddress.Remove(connection.Remote);
            else _perAddress[connection.Remote] = fromRemote;
            Volatile.Write(ref _openCount, _openCount - 1);
        }
    }

    private void Sweep()
    {
        var now = Environment.TickCount64;
        foreach (var connection in _open.Keys) connection.ExpireIfDue(now);
    }

    internal static void Configure(Socket socket, LaneSettings settings)
    {
        socket.NoDelay = true;
        socket.SendBufferSize = settings.SocketBufferBytes;
        socket.ReceiveBufferSize = settings.SocketBufferBytes;
        // A peer machine that vanishes without closing is noticed instead of holding a connection forever.
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
    }

    internal static void Abort(Socket socket)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already closed.
        }
        socket.Dispose();
    }

    public void Dispose()
    {
        _disposed = true;
        _sweep.Dispose();
        _listener.Dispose();
        BreakConnections();
    }
}
