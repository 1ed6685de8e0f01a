using Palm.Security;

namespace Palm.Demo;

/// <summary><c>Palm.Demo certs</c>: a CA and node/client certificates for <c>palm.tls</c>, written into a folder.</summary>
public static class CertsCommand
{
    /// <summary>The usage line of the command.</summary>
    public const string Usage =
        "Palm.Demo certs --out <dir> [--ca-name <name>] [--node <name>]... [--client <name>]... [--host <name or IP>]... [--password <p>]";

    /// <summary>Creates the files <paramref name="args"/> ask for and prints what to configure; returns the exit code.</summary>
    /// <exception cref="ArgumentException">An option lacks its value or is unknown, or <c>--out</c> is missing.</exception>
    public static int Run(IReadOnlyList<string> args, TextWriter output)
    {
        string? directory = null, caName = null, password = null;
        List<string> nodes = [], clients = [], hosts = [];
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"certs: {args[i]} needs a value.");
            switch (args[i])
            {
                case "--out": directory = Value(); break;
                case "--ca-name": caName = Value(); break;
                case "--node": nodes.Add(Value()); break;
                case "--client": clients.Add(Value()); break;
                case "--host": hosts.Add(Value()); break;
                case "--password": password = Value(); break;
                default: throw new ArgumentException($"certs: unknown option '{args[i]}'. Usage: {Usage}");
            }
        }
        if (directory is null) throw new ArgumentException($"certs needs --out <dir>. Usage: {Usage}");
        if (nodes.Count == 0 && clients.Count == 0)
        {
            nodes.Add("node");
            clients.Add("client");
        }

        var files = PalmCertificates.CreateFiles(directory, nodes, clients, caName ?? "Palm CA", hosts.Count > 0 ? hosts : null, password ?? "");
        output.WriteLine(files.CaCreated
            ? $"palm: created the CA {files.CaPfx} (keep it secret: it signs new members) and {files.CaCrt} ({files.CaThumbprint})"
            : $"palm: signed with the existing CA {files.CaPfx} ({files.CaThumbprint})");
        foreach (var file in files.Certificates)
            output.WriteLine($"palm: {file.Role} certificate {file.Path} (CN={file.Name}, thumbprint {file.Thumbprint})");
        var example = files.Certificates[0];
        output.WriteLine();
        output.WriteLine("Give every node and client its own certificate, e.g. for " + example.Name + ":");
        output.WriteLine("palm.tls {");
        output.WriteLine("  enabled = on");
        output.WriteLine($"  certificate = \"{Path.GetFullPath(example.Path)}\"");
        if (!string.IsNullOrEmpty(password)) output.WriteLine("  certificate-password = \"...\"");
        output.WriteLine($"  trusted-ca = \"{Path.GetFullPath(files.CaCrt)}\"");
        output.WriteLine("}");
        output.WriteLine("Addresses then start with akka.ssl.tcp:// (e.g. --seed akka.ssl.tcp://palm@127.0.0.1:4053).");
        return 0;
    }
}
