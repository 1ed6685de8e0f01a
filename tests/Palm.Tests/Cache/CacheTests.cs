using Palm.Client;
using Palm.Messages;
using Palm.TestKit;
using Palm.Tests.Support;
using Xunit;

namespace Palm.Tests.Cache;

/// <summary>A server's cache seen from a client and from the server's own functions.</summary>
public sealed class CacheTests : Akka.TestKit.Xunit2.TestKit
{
    private async Task<PalmClient> Start()
    {
        await this.StartPalmServerAsync<WordsServer>("w");
        return await this.ConnectPalmClientAsync();
    }

    [Fact]
    public async Task Set_get_append_and_delete_round_trip()
    {
        var cache = (await Start()).Cache("w");
        Assert.Equal("k", await cache.SetAsync(Text.Bytes("one"), "k"));
        Assert.Equal("one", Text.Of(await cache.GetAsync("k")));
        await cache.AppendAsync("k", Text.Bytes("+two"));
        Assert.Equal("one+two", Text.Of(await cache.GetAsync("k")));
        Assert.True(await cache.DeleteAsync("k"));
        Assert.False(await cache.DeleteAsync("k"));
        Assert.Null(await cache.GetAsync("k"));
    }

    [Fact]
    public async Task Set_without_a_key_returns_a_new_unique_key()
    {
        var cache = (await Start()).Cache("w");
        var k1 = await cache.SetAsync(Text.Bytes("a"));
        var k2 = await cache.SetAsync(Text.Bytes("b"));
        Assert.NotEqual(k1, k2);
        Assert.Equal("a", Text.Of(await cache.GetAsync(k1)));
        Assert.Equal("b", Text.Of(await cache.GetAsync(k2)));
    }

    [Fact]
    public async Task Append_to_a_missing_key_creates_it()
    {
        var cache = (await Start()).Cache("w");
        await cache.AppendAsync("fresh", Text.Bytes("x"));
        Assert.Equal("x", Text.Of(await cache.GetAsync("fresh")));
    }

    [Fact]
    public async Task Functions_see_what_clients_store_and_clients_see_what_functions_store()
    {
        var client = await Start();
        var cache = client.Cache("w");
        var key = await cache.SetAsync(Text.Bytes("stored by client"));
        Assert.Equal("stored by client", Text.Of(await client.EvalAsync(["w.fromCache"], Array.Empty<byte>(), new JobOptions { CacheKey = key })));

        await foreach (var _ in client.RunJob(["w.remember"], new[] { "a", "b", "c" }.Select(Text.Bytes), new JobOptions { CacheKey = "merged" }).WithTimeout(TimeSpan.FromSeconds(20)))
        {
        }
        Assert.Equal("abc", string.Concat(Text.Of(await cache.GetAsync("merged")!).Order()));
    }

    [Fact]
    public async Task The_cache_of_an_unknown_server_is_refused()
    {
        var client = await Start();
        Assert.Contains("'nope'", Assert.Throws<PalmRouteException>(() => client.Cache("nope")).Message);
    }
}
