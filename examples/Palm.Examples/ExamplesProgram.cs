using Palm.Configuration.Internal;

namespace Palm.Examples;

/// <summary>The examples program: <c>list</c> (or nothing) lists the examples, a name runs one.</summary>
public static class ExamplesProgram
{
    /// <summary>Exit code of an unknown example name (a usage mistake, as Palm's programs use it).</summary>
    public const int UnknownExample = 2;

    /// <summary>Runs the example named by <paramref name="args"/>, or lists them; returns the process's exit code.</summary>
    /// <param name="args">Nothing or <c>list</c>; or one example's name.</param>
    /// <param name="output">Where the list and the example's lines go.</param>
    /// <param name="error">Where a usage mistake goes.</param>
    /// <param name="cancellationToken">Stops a running example (Ctrl+C).</param>
    public static async Task<int> MainAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        if (args.Length == 0 || args is ["list"])
        {
            output.WriteLine("usage: dotnet run --project examples/Palm.Examples -- NAME    (each starts its own cluster on loopback)");
            var width = ExampleList.All.Max(e => e.Name.Length);
            foreach (var example in ExampleList.All)
                output.WriteLine($"  {example.Name.PadRight(width)}  {example.Description} (pylm: {example.Mirrors})");
            return 0;
        }
        var names = ExampleList.All.Select(e => e.Name).ToArray();
        var found = args.Length == 1 ? ExampleList.All.SingleOrDefault(e => e.Name == args[0]) : null;
        if (found is null)
        {
            var given = string.Join(' ', args);
            var nearest = NearestName.Of(given, names);
            error.WriteLine($"palm: '{given}' is not an example{(nearest is null ? "" : $"; did you mean {nearest}?")} 'list' lists them.");
            return UnknownExample;
        }
        return await found.RunAsync(output, cancellationToken);
    }
}
