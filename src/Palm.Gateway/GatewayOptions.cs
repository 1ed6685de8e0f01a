using Palm.Configuration.Internal;

namespace Palm.Gateway;

/// <summary>The gateway process's command line: its own flags, and ASP.NET Core configuration keys (<c>--Kestrel:...</c>) passed on.</summary>
internal sealed record GatewayOptions
{
    /// <summary>The gateway's flags.</summary>
    public static readonly string[] Flags = ["--contact", "--urls", "--prefix", "--config", "--help"];

    public const string HelpText = """
        usage: Palm.Gateway --contact akka.tcp://palm@10.0.0.1:4053 [--urls http://0.0.0.0:8080] [--prefix /palm] [--config gateway.conf]
          --contact <address>   any node of the cluster (the gateway is a client: it does not join); or Palm:Contact in
                                appsettings.json / env Palm__Contact, or palm.client.contact-points in --config
          --urls <urls>         where Kestrel listens, ';'-separated (default http://localhost:5000; env ASPNETCORE_URLS)
          --prefix <path>       the path the endpoints and the status page go under (default: the root)
          --config <file.conf>  HOCON for the gateway's client: palm.tls (its own client certificate), palm.client.*
          --Section:Key=value   any ASP.NET Core setting, e.g. --Kestrel:Certificates:Default:Path=gateway.pfx for HTTPS
          --help, -h            this text
        Endpoints: POST eval/{route}, POST jobs/{route}, GET status, GET jobs, GET / (the status page); docs/gateway.md.
        Exit codes: 0 stopped, 1 failure, 2 usage or configuration mistake, 3 port in use, 4 cluster unreachable.
        """;

    public string? Contact { get; init; }

    public string? Urls { get; init; }

    public string Prefix { get; init; } = "";

    public string? ConfigFile { get; init; }

    public bool Help { get; init; }

    /// <summary>The arguments for ASP.NET Core's configuration (<c>--Kestrel:...=...</c>).</summary>
    public IReadOnlyList<string> AspNetArgs { get; init; } = [];

    /// <summary>Reads <paramref name="args"/>, as <c>--flag value</c> or <c>--flag=value</c>.</summary>
    /// <exception cref="ArgumentException">An unknown flag (naming the nearest), a flag without its value, a positional argument, a missing config file.</exception>
    public static GatewayOptions Parse(IReadOnlyList<string> args)
    {
        var options = new GatewayOptions();
        var aspnet = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            var equals = arg.IndexOf('=');
            var (flag, inline) = arg.StartsWith('-') && equals > 0 ? (arg[..equals], arg[(equals + 1)..]) : (arg, null);
            string Value() => inline ?? (i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{flag} needs a value."));
            switch (flag)
            {
                case "--help" or "-h": return new GatewayOptions { Help = true };
                case "--contact": options = options with { Contact = Value() }; break;
                case "--urls": options = options with { Urls = Value() }; break;
                case "--prefix": options = options with { Prefix = Value() }; break;
                case "--config":
                    var file = Value();
                    options = options with { ConfigFile = File.Exists(file) ? file : throw new ArgumentException($"--config: no file at '{file}' (resolved against {Directory.GetCurrentDirectory()}).") };
                    break;
                // An ASP.NET Core setting (a section path has a colon): Kestrel's HTTPS certificate, its limits, logging levels.
                case not null when flag.StartsWith("--", StringComparison.Ordinal) && flag.Contains(':'):
                    aspnet.Add($"{flag}={Value()}");
                    break;
                case not null when flag.StartsWith('-'):
                    var nearest = NearestName.Of(flag, Flags);
                    throw new ArgumentException($"{flag} is not a flag of the gateway{(nearest is null ? "." : $"; did you mean {nearest}?")} The flags are {string.Join(", ", Flags)} and ASP.NET Core settings as --Section:Key=value.");
                default:
                    throw new ArgumentException($"'{arg}' is not a flag; the gateway takes flags only ({string.Join(", ", Flags)}).");
            }
        }
        return options with { AspNetArgs = aspnet };
    }
}
