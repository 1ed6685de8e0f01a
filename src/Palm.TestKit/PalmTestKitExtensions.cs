using Akka.TestKit;
using Palm.Client;
using Palm.Hosting;
using Palm.Servers;

namespace Palm.TestKit;

/// <summary>Helpers that run Palm servers inside a test's own actor system (no network).</summary>
public static class PalmTestKitExtensions
{
    /// <summary>Starts server <paramref name="name"/> of type <typeparamref name="TServer"/> in the test's actor system.</summary>
    public static Task StartPalmServerAsync<TServer>(this TestKitBase kit, string name) where TServer : PalmServer, new() =>
        PalmNode.Get(kit.Sys).StartServerAsync<TServer>(name);

    /// <summary>Starts a parallel server (a leader and <paramref name="workers"/> workers) in the test's actor system.</summary>
    public static Task StartPalmParallelServerAsync<TServer>(this TestKitBase kit, string name, int workers) where TServer : PalmServer, new() =>
        PalmNode.Get(kit.Sys).StartParallelServerAsync<TServer>(name, workers);

    /// <summary>A client that submits jobs to the servers of the test's actor system.</summary>
    public static Task<PalmClient> ConnectPalmClientAsync(this TestKitBase kit) => PalmClient.ConnectAsync(kit.Sys);
}
