using Akka.Actor;
using Akka.Event;

namespace Palm.Tests.Support;

/// <summary>Completes when a node logs a matching line: evidence of what a node did, read from its log events.</summary>
internal static class LogWatch
{
    /// <summary>The first warning of <paramref name="system"/> from now on that <paramref name="match"/> accepts.</summary>
    public static Task<string> For(ActorSystem system, Func<string, bool> match) => For<Warning>(system, match);

    /// <summary>
    /// The first event of type <typeparamref name="TLevel"/> (<see cref="Info"/>, <see cref="Warning"/>...) of
    /// <paramref name="system"/> from now on that <paramref name="match"/> accepts. Info events are published only
    /// when the system's <c>akka.loglevel</c> is INFO or lower.
    /// </summary>
    public static Task<string> For<TLevel>(ActorSystem system, Func<string, bool> match) where TLevel : LogEvent
    {
        var seen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var watcher = system.ActorOf(Props.Create(() => new Watcher(match, seen)));
        system.EventStream.Subscribe(watcher, typeof(TLevel));
        return seen.Task;
    }

    private sealed class Watcher : ReceiveActor
    {
        public Watcher(Func<string, bool> match, TaskCompletionSource<string> seen) =>
            Receive<LogEvent>(e =>
            {
                var text = e.Message?.ToString() ?? "";
                if (match(text)) seen.TrySetResult(text);
            });
    }
}
