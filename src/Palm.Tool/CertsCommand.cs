using System.CommandLine;
using Palm.Hosting;
using Palm.Security;

namespace Palm.Tool;

/// <summary><c>palm certs --out DIR</c>: a CA and node and client certificates for <c>palm.tls</c> (<see cref="PalmCertificates.CreateFiles"/>).</summary>
internal static class CertsCommand
{
    public static Command Build()
    {
        var directory = new Option<string>("--out") { Description = "The folder to write to (an existing CA there signs the new certificates)", HelpName = "dir", Required = true };
        var caName = new Option<string>("--ca-name") { Description = "The CA's common name", DefaultValueFactory = _ => "Palm CA", HelpName = "name" };
        var nodes = new Option<string[]>("--node") { Description = "A node certificate NAME (repeatable)", Arity = ArgumentArity.ZeroOrMore, HelpName = "name" };
        var clients = new Option<string[]>("--client") { Description = "A client certificate NAME (repeatable)", Arity = ArgumentArity.ZeroOrMore, HelpName = "name" };
        var hosts = new Option<string[]>("--host")
        {
            Description = "A host name or IP address peers reach the nodes at (repeatable; default 127.0.0.1, ::1, localhost)",
            Arity = ArgumentArity.ZeroOrMore,
            HelpName = "name or IP",
        };
        var password = new Option<string>("--password") { Description = "Password of the .pfx files and PEM keys (default none)", DefaultValueFactory = _ => "", HelpName = "p" };
        var format = new Option<string>("--format")
        {
            Description = "pfx: NAME.pfx; pem: NAME.crt and NAME.key (as cert-manager and Vault hand them out); both",
            DefaultValueFactory = _ => "pfx",
        }.AcceptOnlyFromAmong("pfx", "pem", "both");
        var command = new Command("certs", "Create a CA and certificates for palm.tls (mutual TLS between every node and client).")
            { directory, caName, nodes, clients, hosts, password, format };
        command.SetAction(parse => Run(parse.GetRequiredValue(directory), parse.GetValue(nodes) ?? [], parse.GetValue(clients) ?? [],
            parse.GetValue(caName)!, parse.GetValue(hosts) ?? [], parse.GetValue(password) ?? "",
            Enum.Parse<PalmCertificateFormat>(parse.GetValue(format)!, ignoreCase: true), Console.Out, Console.Error));
        return command;
    }

    /// <summary>Creates the files and prints them and the settings to use; returns the exit code.</summary>
    internal static int Run(string directory, IReadOnlyList<string> nodes, IReadOnlyList<string> clients, string caName, IReadOnlyList<string> hosts,
        string password, PalmCertificateFormat format, TextWriter output, TextWriter error)
    {
        PalmCertificateFiles files;
        try
        {
            // Neither asked for: one of each, enough for a first cluster on one machine.
            files = nodes.Count == 0 && clients.Count == 0
                ? PalmCertificates.CreateFiles(directory, ["node"], ["client"], caName, hosts.Count > 0 ? hosts : null, password, format)
                : PalmCertificates.CreateFiles(directory, nodes, clients, caName, hosts.Count > 0 ? hosts : null, password, format);
        }
        catch (Exception e)
        {
            return PalmExitCodes.Report(e, error);
        }
        output.WriteLine(files.CaCreated
            ? $"palm: created the CA {files.CaPfx}{(files.CaKey is null ? "" : $" and {files.CaKey}")} (keep it secret: it signs new members) and {files.CaCrt} ({files.CaThumbprint})"
            : $"palm: signed with the existing CA {files.CaPfx} ({files.CaThumbprint})");
        foreach (var file in files.Certificates)
        {
            var paths = string.Join(", ", new[] { format == PalmCertificateFormat.Pem ? null : file.Path, file.PemPath, file.KeyPath }.OfType<string>());
            output.WriteLine($"palm: {file.Role} certificate {paths} (CN={file.Name}, thumbprint {file.Thumbprint})");
        }
        var example = files.Certificates[0];
        output.WriteLine();
        output.WriteLine("Give every node and client its own certificate, e.g. for " + example.Name + ":");
        output.WriteLine("palm.tls {");
        output.WriteLine("  enabled = on");
        if (format == PalmCertificateFormat.Pem)
        {
            output.WriteLine($"  certificate = \"{Hocon(example.PemPath!)}\"");
            output.WriteLine($"  certificate-key = \"{Hocon(example.KeyPath!)}\"");
        }
        else
        {
            output.WriteLine($"  certificate = \"{Hocon(example.Path)}\"");
        }
        if (!string.IsNullOrEmpty(password)) output.WriteLine("  certificate-password = \"...\"");
        output.WriteLine($"  trusted-ca = \"{Hocon(files.CaCrt)}\"");
        output.WriteLine("}");
        output.WriteLine("Addresses then start with akka.ssl.tcp:// (e.g. --seed akka.ssl.tcp://palm@127.0.0.1:4053).");
        return PalmExitCodes.Ok;
    }

    /// <summary>A full path as a HOCON string's content (Windows' backslashes escaped).</summary>
    private static string Hocon(string path) => Path.GetFullPath(path).Replace("\\", "\\\\");
}
