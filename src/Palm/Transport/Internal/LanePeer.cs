using Akka.Actor;

namespace Palm.Transport.Internal;

/// <summary>
/// The lane to one remote actor system: none at first, one connection once the peer has told where
/// its lane listens, none again (until <see cref="LaneSettings.RetryAfter"/>) if that failed or broke.
/// Akka.Remote carries everything while there is no connection.
/// </summary>
internal sealed class LanePeer(Address address)
{
    private LaneConnection? _connection;
    private int _connecting;
    private long _retryAt;
    private long _failures;

    public Address Address { get; } = address;

    /// <summary>The open connection, if any.</summary>
    public LaneConnection? Connection => Volatile.Read(ref _connection);

    /// <summary>Counts a failed attempt to open the lane; returns how many failed so far.</summary>
    public long CountFailure() => Interlocked.Increment(ref _failures);

    /// <summary>Starts connecting unless a connection is being made or the last failure is too recent.</summary>
    public void ConnectIfDue(Func<LanePeer, Task<LaneConnection>> open, Action<LanePeer, Exception> failed, TimeSpan retryAfter)
    {
        if (Connection is { IsClosed: false } || Environment.TickCount64 < Interlocked.Read(ref _retryAt)) return;
        if (Interlocked.CompareExchange(ref _connecting, 1, 0) != 0) return;
        _ = ConnectAsync(open, failed, retryAfter);
    }

    private async Task ConnectAsync(Func<LanePeer, Task<LaneConnection>> open, Action<LanePeer, Exception> failed, TimeSpan retryAfter)
    {
        try
        {
            var connection = await open(this).ConfigureAwait(false);
            Volatile.Write(ref _connection, connection);
            // It may have broken before it was published here; then the next send tries again.
            if (connection.IsClosed) Interlocked.CompareExchange(ref _connection, null, connection);
        }
        catch (Exception e)
        {
            Interlocked.Exchange(ref _retryAt, Environment.TickCount64 + (long)retryAfter.TotalMilliseconds);
            failed(this, e);
        }
        finally
        {
            Volatile.Write(ref _connecting, 0);
        }
    }

    /// <summary>Called when <paramref name="connection"/> closed: the next try waits <paramref name="retryAfter"/>.</summary>
    public void Closed(LaneConnection connection, TimeSpan retryAfter)
    {
        Interlocked.Exchange(ref _retryAt, Environment.TickCount64 + (long)retryAfter.TotalMilliseconds);
        Interlocked.CompareExchange(ref _connection, null, connection);
    }
}
