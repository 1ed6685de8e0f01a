using System.Collections.Concurrent;
using Akka.Actor;
using Palm.Discovery;
using Palm.Dispatch;
using Palm.Messages;
using Palm.Servers;
using Palm.Tests.Support;

using Palm.Templates;

namespace Palm.Tests.Client;

/// <summary>A test's handle on a <see cref="GateServer"/>: when a call started (and for which job), and when calls may return.</summary>
internal sealed class Gate
{
    private static readonly ConcurrentDictionary<string, Gate> Gates = new();

    public TaskCompletionSource<Guid> Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource Open { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The gate of the server named <paramref name="server"/> (names are unique per test).</summary>
    public static Gate For(string server) => Gates.GetOrAdd(server, _ => new Gate());

    public static string UniqueName(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];
}

/// <summary>Its calls wait, without blocking a thread, until the test opens the server's <see cref="Gate"/>.</summary>
public sealed class GateServer : RegisteredServer
{
    [PalmFunction("wait")]
    public async Task<byte[]> Wait(byte[] text, MessageContext context)
    {
        var gate = Gate.For(Name);
        gate.Entered.TrySetResult(context.JobId);
        await gate.Open.Task;
        return Text.Bytes(Text.Of(text) + "!");
    }
}

/// <summary>Each call takes a while of real work (a blocked thread of its own, as a CPU-bound call would hold it).</summary>
public sealed class SlowServer : RegisteredServer
{
    [PalmFunction("slow")]
    public byte[] Slow(byte[] text)
    {
        // Simulated work, not synchronization: the call must take this long.
        Thread.Sleep(200);
        return text;
    }
}

/// <summary>
/// A server with a faulty transport after it: the result of a payload "lose" never reaches the client
/// (nor does its completion weight), "dup" reaches it twice, anything else once. It answers status
/// requests like any server.
/// </summary>
public sealed class FaultyServer : PalmServer, IServerActorFactory
{
    [PalmFunction("pass")]
    public byte[] Pass(byte[] text) => text;

    internal override string TemplateName => nameof(FaultyServer);

    Props IServerActorFactory.CreateProps(ServerRuntime runtime, ServerRole role) => Props.Create(() => new FaultyServerActor(runtime));

    private sealed class FaultyServerActor : ReceiveActor
    {
        public FaultyServerActor(ServerRuntime runtime)
        {
            Receive<Deliver>(d =>
            {
                foreach (var m in d.Messages)
                {
                    var text = Text.Of(m.Payload);
                    if (text == "lose") continue;
                    var batch = new ResultBatch(m.Job.JobId, [new ResultItem(m.InputId, m.Weight, ResultKind.Payload, m.Payload.ToArray(), null)]);
                    m.Job.Client.Tell(batch, Self);
                    if (text == "dup") m.Job.Client.Tell(batch, Self);
                }
            });
            Receive<GetServerStatus>(_ => Sender.Tell(runtime.Status()));
        }
    }
}
