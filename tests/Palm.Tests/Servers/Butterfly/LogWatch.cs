using Akka.Actor;
using Akka.Event;

namespace Palm.Tests.Servers.Butterfly;

/// <summary>Completes when a node logs a matching warning: evidence of what a node did, read from its log events.</summary>
internal static class LogWatch
{
    /// <summary>The first warning of <paramref name="system"/> from now on that <paramref name="match"/> accepts.</summary>
    public static Task<string> For(ActorSystem system, Func<string, bool> match)
    {
        var seen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var watcher = system.ActorOf(Props.Create(() => new Watcher(match, seen)));
        system.EventStream.Subscribe(watcher, typeof(Warning));
        return seen.Task;
    }

    private sealed class Watcher : ReceiveActor
    {
        public Watcher(Func<string, bool> match, TaskCompletionSource<string> seen) =>
            Receive<Warning>(w =>
            {
                var text = w.Message?.ToString() ?? "";
                if (match(text)) seen.TrySetResult(text);
            });
    }
}
