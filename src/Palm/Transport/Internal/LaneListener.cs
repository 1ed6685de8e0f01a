using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Akka.Event;

namespace Palm.Transport.Internal;

/// <summary>
/// Accepts lane connections and reads each on a thread of its own (never a thread-pool thread, which
/// Akka.Remote needs): frames go to the <see cref="LaneInbox"/>, and a cumulative acknowledgement goes
/// back whenever the reader has caught up with what the socket holds.
/// </summary>
internal sealed class LaneListener : IDisposable
{
    private const int AckEvery = 32;

    private readonly Socket _listener;
    private readonly LaneInbox _inbox;
    private readonly LaneSettings _settings;
    private readonly int _maxBodyBytes;
    private readonly ILoggingAdapter _log;
    private readonly ConcurrentDictionary<Socket, Guid> _connections = new();
    private volatile bool _disposed;
    private long _accepted;

    public LaneListener(IPAddress bind, LaneSettings settings, int maxBodyBytes, LaneInbox inbox, ILoggingAdapter log)
    {
        _settings = settings;
        _maxBodyBytes = maxBodyBytes;
        _inbox = inbox;
        _log = log;
        _listener = new Socket(bind.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            _listener.Bind(new IPEndPoint(bind, settings.Port));
            _listener.Listen(64);
        }
        catch
        {
            _listener.Dispose();
            throw;
        }
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        _ = AcceptLoopAsync();
    }

    /// <summary>The port the lane listens on.</summary>
    public int Port { get; }

    /// <summary>Connections accepted so far (each one a lane from some peer).</summary>
    public long Accepted => Interlocked.Read(ref _accepted);

    /// <summary>Closes every inbound connection at once, as a network failure would (for tests).</summary>
    public void BreakConnections()
    {
        foreach (var socket in _connections.Keys) Abort(socket);
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
                _log.Warning("Palm lane: accepting a connection failed: {0}", e.Message);
                continue;
            }
            Interlocked.Increment(ref _accepted);
            new Thread(() => Read(socket)) { IsBackground = true, Name = "palm-lane-in" }.Start();
        }
    }

    private void Read(Socket socket)
    {
        var lane = Guid.Empty;
        try
        {
            Configure(socket, _settings);
            var reader = new SocketReader(socket, 64 * 1024);
            socket.ReceiveTimeout = (int)_settings.ConnectTimeout.TotalMilliseconds;
            Span<byte> hello = stackalloc byte[LaneFrame.HandshakeBytes];
            reader.ReadExactly(hello);
            if (BinaryPrimitives.ReadInt32LittleEndian(hello) != LaneFrame.Magic)
                throw new InvalidDataException("the connection did not start with the Palm lane handshake");
            lane = new Guid(hello[4..]);
            socket.ReceiveTimeout = 0;
            _connections[socket] = lane;
            if (_disposed) return;
            _inbox.ConnectionOpened(lane);

            Span<byte> prefix = stackalloc byte[LaneFrame.PrefixBytes];
            Span<byte> ack = stackalloc byte[8];
            var unacked = 0;
            while (true)
            {
                reader.ReadExactly(prefix);
                var headerLength = BinaryPrimitives.ReadInt32LittleEndian(prefix);
                var bodyLength = BinaryPrimitives.ReadInt32LittleEndian(prefix[4..]);
                if (headerLength is < 8 or > LaneFrame.MaxHeaderBytes || bodyLength < 0 || bodyLength > _maxBodyBytes)
                    throw new InvalidDataException($"a frame announced {headerLength} header and {bodyLength} body bytes (at most {LaneFrame.MaxHeaderBytes} and {_maxBodyBytes})");
                var header = new byte[headerLength];
                reader.ReadExactly(header);
                var (seq, manifest, target, sender) = LaneFrame.ReadHeader(header);
                var body = GC.AllocateUninitializedArray<byte>(bodyLength);
                reader.ReadExactly(body);
                var confirmed = _inbox.Accept(lane, seq, manifest, target, sender, body);

                // Acknowledge once caught up (or every few frames of a long burst): the sender can
                // then forget what it would have to resend if the connection broke.
                if (++unacked >= AckEvery || (!reader.HasBuffered && socket.Available == 0))
                {
                    BinaryPrimitives.WriteInt64LittleEndian(ack, confirmed);
                    socket.Send(ack);
                    unacked = 0;
                }
            }
        }
        catch (Exception e) when (e is SocketException or EndOfStreamException or ObjectDisposedException)
        {
            // The peer went away or the connection broke: the sender resends what it had not seen
            // acknowledged through Akka.Remote.
        }
        catch (Exception e)
        {
            if (!_disposed) _log.Warning("Palm lane: closed connection {0} from {1}: {2}", lane, SafeRemote(socket), e.Message);
        }
        finally
        {
            if (lane != Guid.Empty) _inbox.ConnectionClosed(lane);
            _connections.TryRemove(socket, out _);
            Abort(socket);
        }
    }

    internal static void Configure(Socket socket, LaneSettings settings)
    {
        socket.NoDelay = true;
        socket.SendBufferSize = settings.SocketBufferBytes;
        socket.ReceiveBufferSize = settings.SocketBufferBytes;
        // A peer machine that vanishes without closing is noticed instead of blocking a reader forever.
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

    private static string SafeRemote(Socket socket)
    {
        try
        {
            return socket.RemoteEndPoint?.ToString() ?? "?";
        }
        catch (ObjectDisposedException)
        {
            return "?";
        }
    }

    public void Dispose()
    {
        _disposed = true;
        _listener.Dispose();
        BreakConnections();
    }
}
