using Palm.Client;
using Palm.Hosting;
using Palm.Demo;
using Palm.Demo.MonteCarlo;
using Palm.Messages;

// dotnet run --project src/Palm.Demo                      embedded cluster on loopback (default)
// dotnet run --project src/Palm.Demo -- seed --port 4053  one node per process, see README
// dotnet run --project src/Palm.Demo -- montecarlo        Monte Carlo paths on an embedded cluster, beside one thread
return await DemoProgram.MainAsync(args);

namespace Palm.Demo
{
    /// <summary>The demo's entry point: an embedded cluster by default, or one role per process.</summary>
    public static class DemoProgram
    {
        private const string Usage = """
            usage: Palm.Demo                                   run the whole demo cluster in this process
                   Palm.Demo montecarlo [--paths N] [--steps S] [--workers K] [--seed X] [--block B] [--chunk C]
                                                               Monte Carlo paths on an embedded cluster (scatter-gather
                                                               workers, a reduce), beside the same run on one thread
                   Palm.Demo seed   [node flags]               a seed node (no servers)
                   Palm.Demo server a|b [node flags]           one server of the demo pipeline
                   Palm.Demo server c --role leader|worker [node flags]
                                                               C's leader, or one of its workers (start any number;
                                                               without --role, C runs alone as a serial server)
                   Palm.Demo server farm --role leader|worker [node flags]
                                                               a farm of ~1 ms calls (farm.work), for crash drills
                   Palm.Demo server total --role leader|worker [node flags]
                                                               a reduce summing 8-byte integers (total.add), for crash drills
                   Palm.Demo server pylm --role leader|worker [node flags]
                                                               pylm's example worker (pylm.foo: "INSTANCE processed MESSAGE"),
                                                               to try the HTTP gateway with (docs/gateway.md)
                   Palm.Demo client [--seed <address>] [--count N] [--config client.conf]
                                                               run the demo job against a cluster (without --seed:
                                                               the nodes of palm.client.contact-points in the config)
            Certificates for palm.tls: the palm tool, palm certs --out <dir> (dotnet run --project src/Palm.Tool -- certs ...).
            """;

        /// <summary>Runs the demo; returns the process exit code.</summary>
        public static async Task<int> MainAsync(string[] args)
        {
            try
            {
                switch (args.FirstOrDefault())
                {
                    case null:
                        return await EmbeddedCluster.RunAsync(10_000, Console.Out) ? 0 : 1;
                    case "montecarlo":
                        return await MonteCarloCommand.RunAsync(MonteCarloOptions.Parse(args[1..]), Console.Out) ? 0 : 1;
                    // PalmHost reports a failure to start in one line on stderr and answers its exit code (PalmExitCodes).
                    case "seed":
                        return await PalmHost.RunNodeAsync(args[1..]);
                    case "server" when args.Length >= 2:
                        return await RunServer(args[1], args[2..]);
                    case "client":
                        return await RunClient(args[1..]);
                    case "certs":
                        // Moved to the palm tool, which package users have: say where, rather than "unknown command".
                        Console.Error.WriteLine("palm: certs moved to the palm tool: palm certs --out <dir> [--format pfx|pem|both] "
                            + "(from the repository: dotnet run --project src/Palm.Tool -- certs --out <dir>).");
                        return PalmExitCodes.Configuration;
                    default:
                        Console.Error.WriteLine(Usage);
                        return 2;
                }
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"palm: {e.Message}");
                Console.Error.WriteLine(Usage);
                return 2;
            }
            catch (Exception e) when (e is TimeoutException or PalmConnectException or PalmJobFailedException or Akka.Configuration.ConfigurationException or PalmConfigurationException)
            {
                // A cluster that cannot be reached, a job that failed by name, settings that contradict:
                // one line that says so, not a crash with a stack trace, and Palm's exit code for it.
                return PalmExitCodes.Report(e, Console.Error);
            }
        }

        private static Task<int> RunServer(string name, string[] args) => name switch
        {
            "a" => PalmHost.RunServerAsync<ParserServer>("a", args),
            "b" => PalmHost.RunServerAsync<BookServer>("b", args),
            "c" => PalmHost.RunServerAsync<PricerServer>("c", args),
            "farm" => PalmHost.RunServerAsync<FarmServer>("farm", args),
            "total" => PalmHost.RunServerAsync<TotalServer>("total", args),
            "pylm" => PalmHost.RunServerAsync<FooServer>("pylm", args),
            _ => throw new ArgumentException($"The demo has servers a, b, c, farm, total and pylm, not '{name}'."),
        };

        private static async Task<int> RunClient(string[] args)
        {
            var options = NodeOptions.Parse(args, ["--count"]);
            var count = 10_000;
            if (options.ProgramFlags.TryGetValue("--count", out var given) && (!int.TryParse(given, out count) || count < 1))
                throw new ArgumentException("--count needs a positive number.");
            // --config reaches the client's own actor system too (e.g. its palm.tls certificate, or
            // palm.client.contact-points when there is no --seed).
            var config = options.ConfigFile is null ? null : Palm.Configuration.PalmConfig.ParseFile(options.ConfigFile);
            var exact = false;
            var code = await PalmClient.RunAsync(options.Seeds.FirstOrDefault(), async client =>
            {
                await client.WaitForServersAsync(DemoPipeline.Servers, TimeSpan.FromSeconds(30));
                exact = await DemoPipeline.RunAsync(client, count, Console.Out);
            }, config);
            return code != PalmExitCodes.Ok ? code : exact ? PalmExitCodes.Ok : PalmExitCodes.Failure;
        }
    }
}
