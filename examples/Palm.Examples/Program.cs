using Palm.Examples;

// dotnet run --project examples/Palm.Examples -- NAME   (no name, or list: the examples)
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
return await ExamplesProgram.MainAsync(args, Console.Out, Console.Error, cancel.Token);
