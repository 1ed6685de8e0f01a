using Palm.Client;
using Palm.Hosting;
using Palm.Servers;

// The README's lines, written the README's way (top-level awaits, no try/catch): what a user's
// program does on a mistake is what Palm does for it.
if (args is ["client", var contact, ..])
{
    await PalmClient.RunAsync(contact, async client =>
    {
        byte[]? one = await client.EvalAsync(["pricer.parse"], "EUR 1"u8.ToArray());
        Console.WriteLine($"parsed {one?.Length} bytes");
    });
}
else
{
    await PalmHost.RunServerAsync<Pricer>("pricer", args);
}

/// <summary>A one-function server, as in the README.</summary>
public sealed class Pricer : RegisteredServer
{
    /// <summary>Returns the line as it came.</summary>
    [PalmFunction("parse")]
    public byte[] Parse(byte[] line) => line;
}
