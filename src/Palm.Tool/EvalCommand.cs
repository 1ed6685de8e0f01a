using System.CommandLine;
using System.Text;
using Palm.Client;
using Palm.Hosting;
using Palm.Messages;

namespace Palm.Tool;

/// <summary><c>palm eval ROUTE --input TEXT</c>: one payload through a route, its result on standard output.</summary>
internal static class EvalCommand
{
    public static Command Build()
    {
        var route = Routes.Argument();
        var input = new Option<string?>("--input") { Description = "The payload, as UTF-8 text", HelpName = "text" };
        var inputFile = new Option<string?>("--input-file") { Description = "A file whose bytes are the payload ('-': standard input)", HelpName = "file" };
        var binary = new Option<bool>("--binary") { Description = "Write the result's bytes as they are, without a newline (default: UTF-8 text and a newline)" };
        var cluster = new ClusterOptions();
        var command = new Command("eval", "Send one payload through a route and print the first result.") { route, input, inputFile, binary };
        cluster.AddTo(command);
        command.Validators.Add(r =>
        {
            if (r.GetValue(input) is not null && r.GetValue(inputFile) is not null) r.AddError("Give --input or --input-file, not both.");
        });
        command.SetAction((parse, cancellationToken) => cluster.RunAsync(parse, async client =>
        {
            var payload = await Payload(parse.GetValue(input), parse.GetValue(inputFile), cancellationToken);
            byte[]? result;
            try
            {
                result = await client.EvalAsync(Routes.Steps(parse.GetRequiredValue(route)), payload, cancellationToken: cancellationToken);
            }
            catch (PalmRouteException e)
            {
                return Routes.Refused(e, client, Console.Error);
            }
            if (result is null)
            {
                Console.Error.WriteLine("palm: the route emitted no result for this payload.");
                return PalmExitCodes.Ok;
            }
            if (parse.GetValue(binary))
            {
                await using var stdout = Console.OpenStandardOutput();
                await stdout.WriteAsync(result, cancellationToken);
            }
            else
            {
                Console.Out.WriteLine(Encoding.UTF8.GetString(result));
            }
            return PalmExitCodes.Ok;
        }, cancellationToken));
        return command;
    }

    private static async Task<byte[]> Payload(string? text, string? file, CancellationToken cancellationToken)
    {
        if (text is not null) return Encoding.UTF8.GetBytes(text);
        if (file is null && !Console.IsInputRedirected)
            throw new ArgumentException("eval needs a payload: --input TEXT, --input-file FILE, or standard input.");
        if (file is null or "-")
        {
            using var buffer = new MemoryStream();
            await using var stdin = Console.OpenStandardInput();
            await stdin.CopyToAsync(buffer, cancellationToken);
            return buffer.ToArray();
        }
        return File.Exists(file)
            ? await File.ReadAllBytesAsync(file, cancellationToken)
            : throw new FileNotFoundException($"--input-file: no file at '{file}' (resolved against {Directory.GetCurrentDirectory()}).", file);
    }
}
