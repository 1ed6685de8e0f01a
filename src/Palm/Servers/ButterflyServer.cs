namespace Palm.Servers;

/// <summary>
/// A ventilator-sink parallel server (legacy PALM's <c>ButterflyServer</c>, pylm's <c>Master</c> and
/// <c>Worker</c>). The same class is started N+1 times under one name: one <see cref="ServerRole.Leader"/>
/// and any number of <see cref="ServerRole.Worker"/>s, usually each on its own node. The leader is the
/// server's only entry point: it spreads the messages it receives over the workers, which call the
/// functions, and it forwards their results along each message's route (or to the client).
/// </summary>
/// <remarks>
/// <para>
/// Turning a <see cref="RegisteredServer"/> into a parallel one is a change of base class: functions,
/// the stream hook (<c>OnOutput</c>, run on the leader) and the cache are used the same
/// way. The cache is the leader's: clients and every worker read and write the same keys.
/// </para>
/// <para>
/// Dispatch is self-balancing: a worker never holds more than <c>palm.butterfly.worker-window</c>
/// messages and gets new ones only as it returns results, so a worker four times slower than another
/// gets about a quarter as many messages. A worker's window starts small and widens only while the
/// worker answers faster than work reaches it, so quick functions get the large windows they need to
/// hide the round trip, and slow ones keep small windows; it never holds more than the worker answers in
/// <c>palm.butterfly.worker-window-time</c>, so a worker that dies strands little. Workers may join and
/// leave while jobs run; the messages a departed worker had not answered go to the others, and each
/// message's result is forwarded exactly once (only the answer of the worker that holds a message counts).
/// A worker whose node shuts down (SIGTERM, Ctrl+C, <c>PalmHost.StopNodeAsync</c>) first drains: it gets no
/// new work and leaves once it has answered what it holds, so nothing is computed twice.
/// </para>
/// <para>
/// Started with <see cref="ServerRole.Standalone"/> (no role flag), a butterfly server runs as a serial
/// server: it calls its functions itself, one message at a time, like a <see cref="RegisteredServer"/>.
/// </para>
/// </remarks>
public abstract class ButterflyServer : PalmServer
{
    internal override string TemplateName => nameof(ButterflyServer);
}
