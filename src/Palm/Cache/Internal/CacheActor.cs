using Akka.Actor;

namespace Palm.Cache.Internal;

/// <summary>Serves a server's cache to clients and workers, apart from the server's own mailbox so that cache calls never queue behind heavy work.</summary>
internal sealed class CacheActor : ReceiveActor
{
    public CacheActor(ServerCache cache)
    {
        ReceiveAny(request =>
        {
            try
            {
                Sender.Tell(cache.Handle(request));
            }
            catch (Exception e)
            {
                var full = e is PalmCacheFullException;
                Sender.Tell(new CacheReply(null, null, false, full ? e.Message : $"{e.GetType().Name}: {e.Message}", full));
            }
        });
    }
}

/// <summary>A cache that lives on another node (the server's cache seen from a client or a worker).</summary>
internal sealed class RemoteCache(IActorRef cacheActor, TimeSpan timeout) : IPalmCache
{
    public async ValueTask<byte[]?> GetAsync(string key, CancellationToken cancellationToken = default) =>
        (await Ask(new CacheGet(key ?? throw new ArgumentNullException(nameof(key))), cancellationToken)).Value;

    public async ValueTask<string> SetAsync(byte[] value, string? key = null, CancellationToken cancellationToken = default) =>
        (await Ask(new CacheSet(key, value ?? throw new ArgumentNullException(nameof(value))), cancellationToken)).Key!;

    public async ValueTask AppendAsync(string key, byte[] value, CancellationToken cancellationToken = default) =>
        await Ask(new CacheAppend(key ?? throw new ArgumentNullException(nameof(key)), value ?? throw new ArgumentNullException(nameof(value))), cancellationToken);

    public async ValueTask<bool> DeleteAsync(string key, CancellationToken cancellationToken = default) =>
        (await Ask(new CacheDelete(key ?? throw new ArgumentNullException(nameof(key))), cancellationToken)).Existed;

    private async Task<CacheReply> Ask(object request, CancellationToken cancellationToken)
    {
        var reply = await cacheActor.Ask<CacheReply>(request, timeout, cancellationToken).ConfigureAwait(false);
        if (reply.Error is null) return reply;
        throw reply.Full ? new PalmCacheFullException(reply.Error) : new InvalidOperationException($"The cache refused the request: {reply.Error}");
    }
}
