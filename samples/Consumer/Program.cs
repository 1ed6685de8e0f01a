using System.Text;
using Palm.Client;
using Palm.Hosting;
using Palm.Servers;

// A cluster of two nodes in this process (each its own actor system on loopback, real Akka.Remote
// between them), a client in a third, and one job through both servers: what a user of the
// package writes, checked end to end.
var seed = await PalmHost.StartNodeAsync(new NodeOptions());
var second = await PalmHost.StartNodeAsync(new NodeOptions { Seeds = [seed.Address] });
await seed.StartServerAsync<Upper>("upper");
await second.StartServerAsync<Exclaim>("exclaim");
await seed.WaitForServersAsync(["upper", "exclaim"], TimeSpan.FromSeconds(30));

var words = new[] { "palm", "from", "a", "package" };
var code = await PalmClient.RunAsync(seed.Address, async client =>
{
    var results = new List<string>();
    await foreach (var r in client.RunJob(["upper.up", "exclaim.bang"], words.Select(Encoding.UTF8.GetBytes)))
        results.Add(r.IsError ? $"error: {r.Error}" : Encoding.UTF8.GetString(r.Payload.Span));
    results.Sort(StringComparer.Ordinal);
    Console.WriteLine(string.Join(" ", results));
    if (!results.SequenceEqual(words.Select(w => w.ToUpperInvariant() + "!").Order(StringComparer.Ordinal)))
        throw new InvalidOperationException("the job's results are not the expected ones");
});
await Task.WhenAll(PalmHost.StopNodeAsync(second), PalmHost.StopNodeAsync(seed));
return code;

/// <summary>Upper-cases a word.</summary>
public sealed class Upper : RegisteredServer
{
    /// <summary>The word in capitals.</summary>
    [PalmFunction("up")]
    public byte[] Up(byte[] word) => Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(word).ToUpperInvariant());
}

/// <summary>Adds an exclamation mark.</summary>
public sealed class Exclaim : RegisteredServer
{
    /// <summary>The word and a '!'.</summary>
    [PalmFunction("bang")]
    public byte[] Bang(byte[] word) => [.. word, (byte)'!'];
}
