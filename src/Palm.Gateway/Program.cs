using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Palm.AspNetCore;
using Palm.Configuration;
using Palm.Hosting;

// dotnet run --project src/Palm.Gateway -- --contact akka.tcp://palm@127.0.0.1:4053 --urls http://127.0.0.1:8080
return await Palm.Gateway.GatewayProgram.MainAsync(args, Console.Out, Console.Error, CancellationToken.None);

namespace Palm.Gateway
{
    /// <summary>The gateway process: Palm's HTTP endpoints and status page in front of a cluster, as a client of it.</summary>
    public static class GatewayProgram
    {
        /// <summary>Runs the gateway until Ctrl+C, SIGTERM or <paramref name="stop"/>; returns the exit code (<see cref="PalmExitCodes"/>).</summary>
        public static async Task<int> MainAsync(string[] args, TextWriter output, TextWriter error, CancellationToken stop)
        {
            GatewayOptions options;
            try
            {
                options = GatewayOptions.Parse(args);
                // Malformed HOCON is named with its file and line here, before anything starts.
                if (options.ConfigFile is not null) PalmConfig.ParseFile(options.ConfigFile);
            }
            catch (Exception e) when (e is ArgumentException or Akka.Configuration.ConfigurationException)
            {
                var code = PalmExitCodes.Report(e, error);
                error.WriteLine("palm: Palm.Gateway --help lists the flags.");
                return code;
            }
            if (options.Help)
            {
                output.WriteLine(GatewayOptions.HelpText);
                return PalmExitCodes.Ok;
            }

            var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [.. options.AspNetArgs] });
            if (options.Urls is not null) builder.WebHost.UseUrls(options.Urls);
            // A failure to start is the one line below, not the host's log of it with a stack trace.
            builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);
            var hocon = options.ConfigFile is null ? null : await File.ReadAllTextAsync(options.ConfigFile, stop);
            builder.Services.AddPalmGateway(builder.Configuration.GetSection("Palm"), client =>
            {
                if (options.Contact is not null) client.Contact = options.Contact;
                if (hocon is not null) client.Hocon = hocon;
            });
            await using var app = builder.Build();
            app.MapPalm(options.Prefix);
            try
            {
                await app.StartAsync(stop);
            }
            catch (Exception e) when (e is IOException { InnerException: AddressInUseException } or AddressInUseException)
            {
                error.WriteLine($"palm: the gateway cannot listen: {e.Message.ReplaceLineEndings(" ")}");
                return PalmExitCodes.PortUnavailable;
            }
            catch (Exception e)
            {
                // The contact unreachable (4), a bad setting (2): one line, as every Palm process.
                return PalmExitCodes.Report(e, error);
            }
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            output.WriteLine($"palm: gateway up at {string.Join(", ", addresses)}, a client of {options.Contact ?? "the cluster's contact point"}; "
                + $"status page at {addresses.FirstOrDefault()}{options.Prefix.TrimEnd('/')}/");
            await app.WaitForShutdownAsync(stop);
            return PalmExitCodes.Ok;
        }
    }
}
