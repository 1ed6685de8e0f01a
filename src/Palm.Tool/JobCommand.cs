using System.CommandLine;
using Palm.Client;
using Palm.Hosting;
using Palm.Messages;

namespace Palm.Tool;

/// <summary>
/// <c>palm job ROUTE --input FILE --output FILE</c>: every payload of a file through a route, every result into a file,
/// errors on standard error with their input index, and the job's progress on standard error as it runs.
/// </summary>
internal static class JobCommand
{
    public static Command Build()
    {
        var route = Routes.Argument();
        var input = new Option<string>("--input") { Description = "The inputs ('-': standard input)", HelpName = "file", Required = true };
        var output = new Option<string>("--output") { Description = "Where the results go ('-': standard output)", HelpName = "file", Required = true };
        var format = new Option<string>("--format")
        {
            Description = "lines: one payload a line; binary: each payload after its length, 4 bytes big-endian (both files)",
            DefaultValueFactory = _ => "lines",
        }.AcceptOnlyFromAmong("lines", "binary");
        var window = new Option<int?>("--window") { Description = "Inputs in flight at once (default palm.client.window)", HelpName = "n" };
        var ordered = new Option<bool>("--ordered") { Description = "Write the results in input order, once the job is done (kept in memory until then)" };
        var cluster = new ClusterOptions();
        var command = new Command("job", "Run every payload of a file through a route and write every result to a file.")
            { route, input, output, format, window, ordered };
        cluster.AddTo(command);
        command.Validators.Add(r =>
        {
            if (r.GetValue(window) is < 1) r.AddError("--window must be at least 1.");
        });
        command.SetAction((parse, cancellationToken) => cluster.RunAsync(parse, client => RunAsync(client, new JobRequest(
            Routes.Steps(parse.GetRequiredValue(route)), parse.GetRequiredValue(input), parse.GetRequiredValue(output),
            parse.GetValue(format) == "binary" ? PayloadFormat.Binary : PayloadFormat.Lines,
            parse.GetValue(window) ?? client.ClientSettings.Window, parse.GetValue(ordered)), ProgressDisplays.ForStandardError(), Console.Error, cancellationToken),
            cancellationToken));
        return command;
    }

    /// <summary>What one <c>palm job</c> was asked.</summary>
    internal sealed record JobRequest(string[] Route, string Input, string Output, PayloadFormat Format, int Window, bool Ordered);

    /// <summary>Runs the job; returns 0 when every input got through without an error result, 1 with errors, 130 when cancelled.</summary>
    internal static async Task<int> RunAsync(PalmClient client, JobRequest request, IProgressDisplay display, TextWriter error, CancellationToken cancellationToken)
    {
        if (request.Input != "-" && !File.Exists(request.Input))
            throw new FileNotFoundException($"--input: no file at '{request.Input}' (resolved against {Directory.GetCurrentDirectory()}).", request.Input);
        // Unbuffered (the reader buffers): a buffered FileStream's dispose waits for a read in progress, which on a pipe may never end.
        await using var inputs = request.Input == "-" ? Console.OpenStandardInput() : new FileStream(request.Input, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
        // A file's payloads are counted first, for done/total; a pipe's can be read only once, so its total stays unknown.
        var tally = new JobTally(await PayloadFiles.CountAsync(inputs, request.Format, cancellationToken));
        // Others may read the file while the job writes it (tail -f).
        await using var outputs = request.Output == "-" ? Console.OpenStandardOutput() : new FileStream(request.Output, FileMode.Create, FileAccess.Write, FileShare.Read);
        IAsyncEnumerable<JobResult> results;
        try
        {
            results = client.RunJob(request.Route, tally.Issue(PayloadFiles.ReadAsync(inputs, request.Format, cancellationToken)),
                new JobOptions { Window = request.Window }, cancellationToken);
        }
        catch (PalmRouteException e)
        {
            return Routes.Refused(e, client, error);
        }

        var title = $"job {string.Join(",", request.Route)}";
        var job = Consume(results, outputs, request, tally, cancellationToken);
        await display.RunAsync(tally, job, title);
        var destination = request.Output == "-" ? "standard output" : request.Output;
        try
        {
            await job;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            var now = tally.Snapshot();
            error.WriteLine($"palm: cancelled after {now.Issued:N0}{(now.Total is { } t ? $" of {t:N0}" : "")} inputs were sent, {now.Done:N0} answered; "
                + $"{now.Results:N0} results are in {destination}. At most {request.Window:N0} inputs (the window) were in flight: "
                + "the cluster finishes them and their results are dropped.");
            return PalmExitCodes.Cancelled;
        }
        var done = tally.Snapshot();
        error.WriteLine($"palm: {title}: {done.Describe()}; {done.Results:N0} results written to {destination}.");
        return done.Errors > 0 ? PalmExitCodes.Failure : PalmExitCodes.Ok;
    }

    /// <summary>Writes every payload result (in arrival order, or in input order with <see cref="JobRequest.Ordered"/>) and counts every result.</summary>
    private static async Task Consume(IAsyncEnumerable<JobResult> results, Stream outputs, JobRequest request, JobTally tally, CancellationToken cancellationToken)
    {
        var kept = request.Ordered ? new List<(long Index, byte[] Payload)>() : null;
        var warned = request.Format == PayloadFormat.Binary;
        // Results reach the file within a quarter second, also while a long job waits for more (someone may be tailing it).
        using var flushing = new OutputFlusher(outputs);
        await foreach (var result in results.ConfigureAwait(false))
        {
            tally.Result(result);
            if (result.IsError) continue;
            if (!warned && result.Payload.Span.Contains((byte)'\n'))
            {
                // Said once: the file is still written, but its lines no longer match the results one for one.
                warned = true;
                tally.Note($"palm: the result of input #{result.InputIndex} holds a newline, so it reads as several lines in the output; "
                    + "--format binary keeps any bytes apart.");
            }
            if (kept is not null) kept.Add((result.InputIndex, result.ToArray()));
            else
                using (await flushing.WritingAsync(cancellationToken))
                    await PayloadFiles.WriteAsync(outputs, request.Format, result.Payload, cancellationToken);
        }
        if (kept is not null)
            foreach (var (_, payload) in kept.OrderBy(k => k.Index)) // stable: an input's own results keep their order
                await PayloadFiles.WriteAsync(outputs, request.Format, payload, cancellationToken);
        using (await flushing.WritingAsync(cancellationToken))
            await outputs.FlushAsync(cancellationToken);
        tally.Finish();
    }
}
