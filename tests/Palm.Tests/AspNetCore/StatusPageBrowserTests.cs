using System.Diagnostics;
using Palm.Tests.Support;
using Xunit;

namespace Palm.Tests.AspNetCore;

/// <summary>
/// The status page in a real browser: Debian's headless Chromium loads it from the gateway while a job runs through it,
/// runs its script, and the DOM it leaves shows the cluster's servers and the job's progress.
/// Without Chromium the test is skipped, saying so, unless <c>PALM_REQUIRE_BROWSER=1</c> (CI), which makes that a failure.
/// </summary>
[Trait(TestCategories.Category, TestCategories.Cluster)]
public sealed class StatusPageBrowserTests(GatewayFixture gateway) : IClassFixture<GatewayFixture>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    /// <summary>Where Debian's chromium package puts the browser; null when absent.</summary>
    private static string? Chromium() =>
        new[] { Environment.GetEnvironmentVariable("PALM_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser" }
            .FirstOrDefault(p => !string.IsNullOrEmpty(p) && File.Exists(p));

    [SkippableFact]
    public async Task The_page_in_headless_chromium_shows_every_server_with_its_workers_and_a_running_jobs_progress()
    {
        var chromium = Chromium();
        if (chromium is null)
        {
            const string reason = "no Chromium at /usr/bin/chromium (install it: apt-get install -y chromium)";
            Assert.False(Environment.GetEnvironmentVariable("PALM_REQUIRE_BROWSER") == "1", $"PALM_REQUIRE_BROWSER=1 but {reason}.");
            Skip.If(true, $"The status page's browser test needs a browser: {reason}.");
        }

        await using var job = await StreamingClient.StartAsync(gateway.Base, "/palm/jobs/w.upper?total=200000",
            i => Text.Bytes($"line {i}"), TimeSpan.FromMilliseconds(20));
        await Eventually.AssertAsync(async () => Assert.Contains(await gateway.JobsAsync(), j => j.GetProperty("inputsCompleted").GetInt64() > 0), Bound);

        var dom = await RunAsync(chromium!, "--dump-dom", gateway.Base.ToString());

        Assert.Contains("data-server=\"w\"", dom);
        Assert.Contains("data-server=\"faulty\"", dom);
        Assert.Contains("data-server=\"pylm\"", dom);
        Assert.Contains("data-workers=\"1\"", dom);
        Assert.Contains("<span class=\"chip\">upper</span>", dom);
        Assert.Contains($"data-node=\"{gateway.Cluster.Seed.Address}\"", dom);
        Assert.Contains("data-route=\"w.upper\"", dom);
        Assert.Contains("inputs complete", dom);
        var fraction = System.Text.RegularExpressions.Regex.Match(dom, "class=\"progress\" data-fraction=\"([0-9.eE-]+)\"");
        Assert.True(fraction.Success, "no job progress bar with a fraction in the page");
        Assert.InRange(double.Parse(fraction.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), double.Epsilon, 1);

        // docs/status-page.png is taken the same way: PALM_SCREENSHOT=docs/status-page.png dotnet test ... --filter StatusPageBrowserTests
        if (Environment.GetEnvironmentVariable("PALM_SCREENSHOT") is { Length: > 0 } screenshot)
            await RunAsync(chromium!, $"--screenshot={Path.GetFullPath(screenshot)}", "--window-size=1360,1000", "--hide-scrollbars", gateway.Base.ToString());
    }

    /// <summary>Runs headless Chromium with <paramref name="args"/> and a few seconds of page time; its standard output.</summary>
    private static async Task<string> RunAsync(string chromium, params string[] args)
    {
        var profile = Directory.CreateTempSubdirectory("palm-chromium-");
        try
        {
            var start = new ProcessStartInfo(chromium)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                ArgumentList =
                {
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                    $"--user-data-dir={profile.FullName}",
                    // Page time, not wall time: the page's first polls of status and jobs have answered by then.
                    "--virtual-time-budget=4000",
                },
            };
            foreach (var a in args) start.ArgumentList.Add(a);
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            using var bound = new CancellationTokenSource(Bound);
            try
            {
                await process.WaitForExitAsync(bound.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"chromium did not finish within {Bound}: {await error}");
            }
            Assert.True(process.ExitCode == 0, $"chromium exited {process.ExitCode}: {await error}");
            return await output;
        }
        finally
        {
            profile.Delete(recursive: true);
        }
    }
}
