using Akka.Configuration;
using Palm.Dispatch;
using Palm.Messages;
using Palm.Servers;
using Xunit;

namespace Palm.Tests.Dispatch;

public sealed class FunctionTableTests
{
    private sealed class Declared : RegisteredServer
    {
        [PalmFunction("wide", MaxConcurrency = 64)]
        public async Task<byte[]> Wide(byte[] payload)
        {
            await Task.Yield();
            return payload;
        }

        [PalmFunction("plain")]
        public ValueTask<byte[]> Plain(byte[] payload) => new(payload);

        [PalmFunction("sync")]
        public byte[] Sync(byte[] payload) => payload;
    }

    private sealed class SyncWithConcurrency : RegisteredServer
    {
        [PalmFunction("sync", MaxConcurrency = 4)]
        public byte[] Sync(byte[] payload) => payload;
    }

    private sealed class NegativeConcurrency : RegisteredServer
    {
        [PalmFunction("neg", MaxConcurrency = -1)]
        public Task Neg(byte[] payload) => Task.CompletedTask;
    }

    [Fact]
    public void Functions_know_whether_they_are_asynchronous_and_their_declared_concurrency()
    {
        var table = FunctionTable.For(typeof(Declared));
        Assert.True(table.TryGet("wide", out var wide));
        Assert.True(table.TryGet("plain", out var plain));
        Assert.True(table.TryGet("sync", out var sync));
        Assert.True(table.TryGet("echo", out var echo));

        Assert.Equal((true, 64), (wide.IsAsync, wide.MaxConcurrency));
        Assert.Equal((true, 0), (plain.IsAsync, plain.MaxConcurrency));
        Assert.Equal((false, 0), (sync.IsAsync, sync.MaxConcurrency));
        Assert.False(echo.IsAsync);
    }

    [Fact]
    public void A_synchronous_function_with_a_max_concurrency_above_one_fails_when_the_server_starts()
    {
        var e = Assert.Throws<PalmConfigurationException>(() => FunctionTable.For(typeof(SyncWithConcurrency)));
        Assert.Contains("SyncWithConcurrency.Sync", e.Message);
        Assert.Contains("asynchronous", e.Message);
    }

    [Fact]
    public void A_negative_max_concurrency_fails_when_the_server_starts()
    {
        var e = Assert.Throws<PalmConfigurationException>(() => FunctionTable.For(typeof(NegativeConcurrency)));
        Assert.Contains("MaxConcurrency is -1", e.Message);
    }

    [Fact]
    public void Palm_server_max_concurrency_defaults_to_one_and_must_be_positive()
    {
        Assert.Equal(1, ServerSettings.Default.MaxConcurrency);
        Assert.Equal(32, ServerSettings.Create(ConfigurationFactory.ParseString("palm.server.max-concurrency = 32")).MaxConcurrency);
        var e = Assert.Throws<ConfigurationException>(() => ServerSettings.Create(ConfigurationFactory.ParseString("palm.server.max-concurrency = 0")));
        Assert.Contains("palm.server.max-concurrency", e.Message);
    }
}
