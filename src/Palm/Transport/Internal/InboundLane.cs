using System.Buffers.Binary;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Runtime.Serialization;
using Akka.Event;
using Palm.Security;

namespace Palm.Transport.Internal;

/// <summary>
/// One accepted lane connection, read asynchronously: no thread waits for it, and while its peer is silent it holds no read
/// buffer. Its handshake and then its frames must come in time, or the listener's sweep closes it
/// (docs/internals.md#inboundlane).
/// </summary>
internal sealed class InboundLane(LaneListener listener, Socket socket, IPAddress remote)
{
    private const int AckEvery = 32;
    private const int BufferBytes = 64 * 1024;
    // One receive under TLS takes at most this much of what waits on the socket (see ReadAheadStream).
    private const int ReadAheadBytes = 256 * 1024;

    private long _deadline = Environment.TickCount64 + (long)listener.Settings.HandshakeTimeout.TotalMilliseconds;
    private int _expired;
    private volatile bool _handshaken;

    /// <summary>The peer's IP address (connections are counted per address).</summary>
    public IPAddress Remote { get; } = remote;

    /// <summary>Closes the connection if its deadline passed (the listener's sweep calls this).</summary>
    public void ExpireIfDue(long now)
    {
        if (now < Volatile.Read(ref _deadline) || Interlocked.Exchange(ref _expired, 1) != 0) return;
        LaneListener.Abort(socket);
    }

    /// <summary>Closes the connection at once; the read loop ends and releases it.</summary>
    public void Abort() => LaneListener.Abort(socket);

    /// <summary>Reads the connection to its end, then releases it from the listener.</summary>
    public async Task RunAsync()
    {
        var lane = Guid.Empty;
        var opened = false;
        NetworkStream? network = null;
        SslStream? tls = null;
        LaneStreamReader? reader = null;
        try
        {
            LaneListener.Configure(socket, listener.Settings);
            network = new NetworkStream(socket, ownsSocket: false);
            Stream stream = network;
            ReadAheadStream? readAhead = null;
            if (listener.Tls is { } settings)
            {
                readAhead = new ReadAheadStream(network, () => socket.Available, ReadAheadBytes);
                stream = tls = await AuthenticateAsync(readAhead, settings).ConfigureAwait(false);
                readAhead.Enabled = true;
            }
            // What the read-ahead holds waits as much as what the socket holds (the sender is not yet owed
            // an acknowledgement); while it holds some, the socket need not be asked (a system call).
            reader = new LaneStreamReader(stream, BufferBytes, () => readAhead is { Buffered: > 0 and var held } ? held : socket.Available,
                tls is null ? BufferBytes / 4 : 1);

            var hello = new byte[LaneFrame.HandshakeBytes];
            // The magic first: a stray connection (a browser, a port scan) is refused on its first bytes.
            await reader.ReadExactlyAsync(hello.AsMemory(0, 4)).ConfigureAwait(false);
            if (BinaryPrimitives.ReadInt32LittleEndian(hello) != LaneFrame.Magic) throw new BadHandshakeException();
            await reader.ReadExactlyAsync(hello.AsMemory(4)).ConfigureAwait(false);
            if (!LaneFrame.TryReadHandshake(hello, out lane, out var secret)) throw new BadHandshakeException();
            // The secret says which system speaks (its lane actor handed it over Akka.Remote); the
            // frames' own claims are checked against it.
            if (!listener.Inbox.Identities.TryResolve(secret, out var peer)) throw new UnknownSecretException();
            if (!listener.IsRunning) return;
            if (!listener.Inbox.ConnectionOpened(peer, lane)) throw new ForeignSessionException();
            opened = true;
            _handshaken = true;
            StillAlive();

            var prefix = new byte[LaneFrame.PrefixBytes];
            var ack = new byte[8];
            var maxBody = listener.MaxBodyBytes;
            var unacked = 0;
            while (true)
            {
                await reader.ReadExactlyAsync(prefix).ConfigureAwait(false);
                var headerLength = BinaryPrimitives.ReadInt32LittleEndian(prefix);
                var bodyLength = BinaryPrimitives.ReadInt32LittleEndian(prefix.AsSpan(4));
                if (headerLength is < 8 or > LaneFrame.MaxHeaderBytes || bodyLength < 0 || bodyLength > maxBody)
                    throw new InvalidDataException($"a frame announced {headerLength} header and {bodyLength} body bytes (at most {LaneFrame.MaxHeaderBytes} and {maxBody})");
                var header = await reader.ReadArrayAsync(headerLength).ConfigureAwait(false);
                var (seq, manifest, target, sender) = LaneFrame.ReadHeader(header);
                var body = await reader.ReadArrayAsync(bodyLength).ConfigureAwait(false);
                // Delivering is short (deserialize and Tell): it runs on the pool thread that completed the read.
                var confirmed = listener.Inbox.Accept(peer, lane, seq, manifest, target, sender, body);
                if (confirmed == LaneInbox.Refused) throw new ForeignSessionException();
                StillAlive();

                // Acknowledge once caught up (or every few frames of a long burst): the sender can
                // then forget what it would have to resend if the connection broke.
                if (++unacked >= AckEvery || reader.CaughtUp)
                {
                    BinaryPrimitives.WriteInt64LittleEndian(ack, confirmed);
                    // Nearly always completes at once (8 bytes into the send buffer); a peer that
                    // never reads its acknowledgements stalls only its own connection, until the idle timeout.
                    await stream.WriteAsync(ack).ConfigureAwait(false);
                    unacked = 0;
                }
            }
        }
        catch (Exception e)
        {
            Report(e, lane);
        }
        finally
        {
            if (opened) listener.Inbox.ConnectionClosed(lane);
            reader?.Dispose();
            tls?.Dispose();
            network?.Dispose();
            LaneListener.Abort(socket);
            listener.Release(this);
        }
    }

    /// <summary>
    /// The server side of mutual TLS on <paramref name="network"/>, within the handshake timeout (the
    /// sweep enforces it too). No thread waits: the handshake is asynchronous like every read here.
    /// </summary>
    /// <exception cref="TlsRefusedException">The peer did not complete the handshake with a trusted certificate.</exception>
    private async Task<SslStream> AuthenticateAsync(Stream network, PalmTlsSettings settings)
    {
        using var timeout = new CancellationTokenSource(listener.Settings.HandshakeTimeout);
        try
        {
            return await PalmTls.AuthenticateAsServerAsync(network, settings, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            // Reported as the handshake timeout it is.
            Interlocked.Exchange(ref _expired, 1);
            throw;
        }
        catch (Exception e) when (Volatile.Read(ref _expired) == 0 && listener.IsRunning)
        {
            throw new TlsRefusedException(e);
        }
    }

    /// <summary>Moves the deadline: the connection showed it is in use.</summary>
    private void StillAlive() =>
        Volatile.Write(ref _deadline, Environment.TickCount64 + (long)listener.Settings.IdleTimeout.TotalMilliseconds);

    private void Report(Exception e, Guid lane)
    {
        var log = listener.Log;
        if (Volatile.Read(ref _expired) != 0)
        {
            if (_handshaken)
                log.Log(LogLevel.DebugLevel, "idle", "Palm lane: closed lane {0} from {1}: no frame for {2} (palm.lane.idle-timeout); its sender opens a new one when it needs it.",
                    lane, Remote, listener.Settings.IdleTimeout);
            else
                log.Log(LogLevel.WarningLevel, "handshake-timeout", "Palm lane: closed a connection from {0} that sent no handshake within {1} (palm.lane.handshake-timeout).",
                    Remote, listener.Settings.HandshakeTimeout);
            return;
        }
        switch (e)
        {
            case TlsRefusedException:
                listener.CountTlsRefusal();
                log.Log(LogLevel.WarningLevel, "tls", "Palm lane: refused a connection from {0}: no mutual TLS with a trusted certificate (palm.tls is on): {1}",
                    Remote, e.InnerException?.Message);
                break;
            case BadHandshakeException:
                log.Log(LogLevel.WarningLevel, "handshake", "Palm lane: closed a connection from {0} that did not start with the lane handshake.", Remote);
                break;
            case UnknownSecretException:
                listener.CountRefusedHandshake();
                log.Log(LogLevel.WarningLevel, "secret", "Palm lane: closed a connection from {0}: its handshake presents no secret this system handed out "
                                                         + "(a stranger; or a peer this system forgot, which asks for a new secret when it connects again).", Remote);
                break;
            case ForeignSessionException:
                // The inbox logged which systems.
                listener.CountRefusedHandshake();
                break;
            case InvalidDataException or SerializationException:
                log.Log(LogLevel.WarningLevel, "frame", "Palm lane: closed lane {0} from {1}: {2}", lane, Remote, e.Message);
                break;
            case EndOfStreamException or IOException or SocketException or ObjectDisposedException:
                // The peer went away or the connection broke (or was broken here): the sender resends
                // what it had not seen acknowledged through Akka.Remote.
                break;
            default:
                if (listener.IsRunning)
                    log.Log(LogLevel.WarningLevel, "error", "Palm lane: closed lane {0} from {1}: {2}: {3}", lane, Remote, e.GetType().Name, e.Message);
                break;
        }
    }

    private sealed class BadHandshakeException() : Exception("the connection did not start with the Palm lane handshake");

    private sealed class TlsRefusedException(Exception inner) : Exception("the connection did not complete a mutual TLS handshake", inner);

    private sealed class UnknownSecretException() : Exception("the lane handshake presents a secret this system did not hand out");

    private sealed class ForeignSessionException() : Exception("the lane session belongs to another system");
}
