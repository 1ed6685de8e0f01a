namespace Palm.Examples;

/// <summary>One runnable example: a pylm example redone on Palm, on an embedded cluster of its own.</summary>
public interface IExample
{
    /// <summary>The subcommand that runs it (<c>dotnet run --project examples/Palm.Examples -- NAME</c>).</summary>
    string Name { get; }

    /// <summary>The folder of pylm's <c>examples/</c> it mirrors (several, comma-separated, when it stands for more than one).</summary>
    string Mirrors { get; }

    /// <summary>What it shows, in one line.</summary>
    string Description { get; }

    /// <summary>Starts its cluster, runs, prints what the pylm example prints to <paramref name="output"/>, and stops the cluster.</summary>
    /// <returns>0 when every result is the expected one; 1 otherwise (the wrong result is printed).</returns>
    Task<int> RunAsync(TextWriter output, CancellationToken cancellationToken);
}
