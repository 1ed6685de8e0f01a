using Akka.Event;
using Palm.Client;
using Palm.Examples.Internal;
using Palm.Messages;
using Palm.Servers;

namespace Palm.Examples.Examples;

/// <summary>
/// pylm's error: a function that fails. pylm's client gets <c>b'0'</c>, the same as a function that answered "0";
/// Palm's gets an error value naming the server, the function, the step and the exception, and the server goes on.
/// </summary>
internal sealed class ErrorExample : IExample
{
    private const string Cause = "x is not defined";

    public string Name => "error";
    public string Mirrors => "error";
    public string Description => "a function that throws: the client gets an error value naming server, function and cause";

    public async Task<int> RunAsync(TextWriter output, CancellationToken cancellationToken)
    {
        await using var cluster = await ExampleClusters.StartAsync();
        await cluster.StartServerAsync<MyServer>("my_server");
        var client = await cluster.ConnectAsync("my_server");

        // In a job, an error is a result like any other, for the input it came from.
        var results = await client.RunAllAsync(["my_server.foo"], [Utf8.Bytes("a message")], cancellationToken);
        foreach (var result in results) output.WriteLine($"Client got: {Utf8.Text(result)}");
        // EvalAsync, one message and one answer, throws it instead.
        string thrown;
        try
        {
            await client.EvalAsync(["my_server.foo"], Utf8.Bytes("a message"), cancellationToken: cancellationToken);
            thrown = "nothing thrown";
        }
        catch (PalmFunctionException e)
        {
            thrown = $"{nameof(PalmFunctionException)} from {e.Error.Server}.{e.Error.Function}";
        }
        output.WriteLine($"EvalAsync threw {thrown}");
        var echo = Utf8.Text(await client.EvalAsync(["my_server.echo"], Utf8.Bytes("still here"), cancellationToken: cancellationToken));
        output.WriteLine($"The server goes on: my_server.echo answered '{echo}'");

        var error = results.SingleOrDefault()?.Error;
        return Expect.Same(output,
            [$"{PalmErrorKind.FunctionFailed} my_server.foo {typeof(InvalidOperationException).FullName}: {Cause}", $"{nameof(PalmFunctionException)} from my_server.foo", "still here"],
            [$"{error?.Kind} {error?.Server}.{error?.Function} {error?.ExceptionType}: {error?.Message}", thrown, echo]);
    }

    private sealed class MyServer : RegisteredServer
    {
        // pylm's function prints a variable it never defined: a bug of the function's own, which Palm reports.
        [PalmFunction("foo")]
        public byte[] Foo(byte[] message)
        {
            Log.Warning("Got a message");
            throw new InvalidOperationException(Cause);
        }
    }
}
