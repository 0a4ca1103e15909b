using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using ActorSweep.Tests.Infrastructure;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace ActorSweep.Tests.Dashboard;

/// <summary>
/// The dashboard in a real browser (Debian's chromium driven by Playwright) against a live
/// `actorsweep run` process: it lists the runs, updates progress without a reload, plots what a
/// run's history holds, filters, refuses a cancel without the token, escapes names and errors
/// holding HTML, and passes axe's accessibility rules.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed partial class DashboardBrowserTests : IAsyncLifetime
{
    const string Token = "dashboard-test-token";
    const string HtmlRunName = "<img src=x onerror=window.__xss=2>";
    const string HtmlInPath = "<img src=x onerror=window.__xss=1>";

    readonly string _dir = Directory.CreateTempSubdirectory("actorsweep-dashboard-").FullName;
    IPlaywright? _playwright;
    IBrowser? _browser;

    public async ValueTask InitializeAsync()
    {
        _playwright = await Playwright.CreateAsync();
        _browser = await Browser.LaunchAsync(_playwright);
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null) await _browser.DisposeAsync();
        _playwright?.Dispose();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public async Task A_live_sweep_is_listed_updated_plotted_filtered_and_escaped_and_cancel_needs_the_token()
    {
        // The run named "fails" cannot write its checkpoints: a file sits where its folder goes, and
        // the error names the path, whose root holds HTML. The others train; "slow" runs for a minute.
        string checkpoints = Path.Combine(_dir, HtmlInPath);
        Directory.CreateDirectory(Path.Combine(checkpoints, "dash-xss"));
        File.WriteAllText(Path.Combine(checkpoints, "dash-xss", "fails@s1"), "not a folder");
        string sweep = Path.Combine(_dir, "dash.yaml");
        File.WriteAllText(sweep, $$"""
            name: dash-xss
            task: noop
            seeds: [1]
            retries: 0
            defaults: { steps: 150, step_seconds: 0.02, checkpoint_every: 10, plateau: 0.9, rate: 0.02 }
            runs:
              - { name: "{{HtmlRunName}}" }
              - { name: fails }
              - { name: slow, steps: 3000 }
            """);
        using var run = NodeProcess.Start("run", "actorsweep.dll", "run", sweep, "--db", Path.Combine(_dir, "a.db"), "--slots", "2",
            "--checkpoints", checkpoints, "--report", Path.Combine(_dir, "report"), "--api-token", Token);
        string url = await DashboardUrl(run);
        using var http = new HttpClient { BaseAddress = new Uri(url) };

        var page = await _browser!.NewPageAsync();
        page.SetDefaultTimeout(30_000); // on 2 busy cores a page's first fetch can take seconds
        var log = new PageLog(page);
        await page.GotoAsync(url + "sweeps/dash-xss");

        // The page lists the runs.
        await Expect(page.Locator("#runs tbody tr")).ToHaveCountAsync(3);
        await page.EvaluateAsync("window.__notReloaded = true");

        // The failed run's error (HTML from the path) and the run named in HTML show as text; nothing ran.
        var failed = page.Locator("#runs tbody tr[data-run='fails@s1']");
        await Expect(failed).ToHaveAttributeAsync("data-status", "failed", new() { Timeout = 60_000 });
        await Expect(failed.Locator("td.error")).ToContainTextAsync(HtmlInPath);
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = HtmlRunName + "@s1", Exact = true })).ToBeVisibleAsync();
        Assert.Null(await page.EvaluateAsync<int?>("window.__xss ?? null"));
        Assert.Equal(0, await page.Locator("#runs img").CountAsync());

        // Progress updates without a reload: the slow run's step grows on the same page.
        var slowSteps = page.Locator("#runs tbody tr[data-run='slow@s1'] td[data-steps]");
        await Expect(slowSteps).Not.ToHaveAttributeAsync("data-steps", "0", new() { Timeout = 60_000 });
        long first = long.Parse((await slowSteps.GetAttributeAsync("data-steps"))!);
        await Eventually.TrueAsync(() => long.Parse(slowSteps.GetAttributeAsync("data-steps").Result!) > first + 20, TimeSpan.FromSeconds(30), "the slow run's step to grow on the page");
        Assert.True(await page.EvaluateAsync<bool>("window.__notReloaded === true"), "the page was reloaded");

        // Filtering by state.
        await page.SelectOptionAsync("#status-filter", "failed");
        await Expect(page.Locator("#runs tbody tr")).ToHaveCountAsync(1);
        await Expect(page.Locator("#runs tbody tr").First).ToHaveAttributeAsync("data-run", "fails@s1");
        await page.SelectOptionAsync("#status-filter", "");
        await page.FillAsync("#text-filter", "slow");
        await Expect(page.Locator("#runs tbody tr")).ToHaveCountAsync(1);
        await page.FillAsync("#text-filter", "");

        // Accessibility: no serious or critical violation on the sweep page.
        AssertAccessible(await page.RunAxe(), "sweep page");

        // Cancel without the token is refused, and the sweep goes on.
        await page.ClickAsync("#cancel");
        await Expect(page.Locator("#cancel-result")).ToContainTextAsync("Refused (401)");
        var summary = await http.GetFromJsonAsync<JsonElement>("/api/sweeps");
        Assert.False(summary.GetProperty("sweeps")[0].GetProperty("cancelled").GetBoolean());

        // A finished run's curve has the points its history holds.
        string htmlRun = HtmlRunName + "@s1";
        await Eventually.TrueAsync(() => Status(http, htmlRun) == "completed", TimeSpan.FromSeconds(60), "the HTML-named run to complete");
        var history = await http.GetFromJsonAsync<JsonElement>($"/api/sweeps/dash-xss/runs/{Uri.EscapeDataString(htmlRun)}/history");
        int points = history.GetProperty("points").EnumerateArray().Count(p => p.TryGetProperty("validation_exact_match", out var v) && v.ValueKind == JsonValueKind.Number);
        Assert.True(points >= 15, $"{points} history points for 150 steps checkpointed every 10");
        await OpenRunPage(page, log, url + $"sweeps/dash-xss/runs/{Uri.EscapeDataString(htmlRun)}");
        await Expect(page.Locator("#run-id")).ToHaveTextAsync(htmlRun);
        await Expect(page.Locator("figure[data-chart='Validation exact match']")).ToHaveAttributeAsync("data-points", points.ToString());
        await Expect(page.Locator("figure[data-chart='Validation exact match'] canvas")).ToHaveCountAsync(1);
        Assert.Null(await page.EvaluateAsync<int?>("window.__xss ?? null"));
        AssertAccessible(await page.RunAxe(), "run page");

        // The list of sweeps, then cancel with the token: accepted, and the run ends.
        await page.GotoAsync(url);
        await Expect(page.Locator("#sweeps tbody tr")).ToHaveCountAsync(1);
        AssertAccessible(await page.RunAxe(), "sweeps page");
        await page.GotoAsync(url + "sweeps/dash-xss");
        await page.FillAsync("#token", Token);
        await page.ClickAsync("#cancel");
        await Expect(page.Locator("#cancel-result")).ToContainTextAsync("Cancelled");
        Assert.True(await run.WaitForExitAsync(TimeSpan.FromSeconds(60)), "actorsweep run did not end after the cancel\n" + run.Output);
        Assert.True(log.Problems.All(p => p.Contains("/cancel")), log.ToString()); // the refused cancel's 401 is expected
    }

    /// <summary>
    /// The README's screenshot: the dashboard on the quickstart sweep while it trains (set
    /// ACTORSWEEP_SCREENSHOT to a path to keep it). A completed addition run's page plots the
    /// curves its report holds: the training loss every log_every steps, validation at each evaluation.
    /// </summary>
    [Fact]
    public async Task The_quickstart_sweep_trains_under_the_dashboard_and_its_screenshot_is_taken()
    {
        string sweep = Path.Combine(TestEnvironment.RepositoryRoot, "sweeps", "quickstart.yaml");
        using var run = NodeProcess.Start("run", "actorsweep.dll", "run", sweep, "--db", Path.Combine(_dir, "q.db"), "--slots", "2",
            "--report", Path.Combine(_dir, "report"), "--api-token", Token);
        string url = await DashboardUrl(run);
        using var http = new HttpClient { BaseAddress = new Uri(url) };
        int Completed() => http.GetFromJsonAsync<JsonElement>("/api/sweeps/quickstart/runs").Result.EnumerateArray().Count(r => r.GetProperty("status").GetString() == "completed");
        await Eventually.TrueAsync(() => Completed() >= 6, TimeSpan.FromMinutes(5), "half of the quickstart's runs to complete");

        var page = await _browser!.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
        page.SetDefaultTimeout(30_000);
        var log = new PageLog(page);
        await page.GotoAsync(url + "sweeps/quickstart");
        await Expect(page.Locator("#runs tbody tr")).ToHaveCountAsync(12);
        await Expect(page.Locator("figure[data-chart='Parameters against exact match'] canvas")).ToHaveCountAsync(1);
        string screenshot = Path.Combine(_dir, "dashboard.png");
        await page.ScreenshotAsync(new() { Path = screenshot, FullPage = true });
        var png = File.ReadAllBytes(screenshot);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
        Assert.True(png.Length > 20_000, $"a {png.Length}-byte screenshot");
        if (Environment.GetEnvironmentVariable("ACTORSWEEP_SCREENSHOT") is { Length: > 0 } keep) File.Copy(screenshot, keep, overwrite: true);

        var done = http.GetFromJsonAsync<JsonElement>("/api/sweeps/quickstart/runs").Result.EnumerateArray().First(r => r.GetProperty("status").GetString() == "completed");
        string runId = done.GetProperty("run_id").GetString()!;
        var history = await http.GetFromJsonAsync<JsonElement>($"/api/sweeps/quickstart/runs/{runId}/history");
        int losses = history.GetProperty("loss_curve").GetArrayLength();
        Assert.Equal(15, losses); // 1,500 steps, logged every 100
        await OpenRunPage(page, log, url + $"sweeps/quickstart/runs/{runId}");
        await Expect(page.Locator("figure[data-chart='Training loss']")).ToHaveAttributeAsync("data-points", losses.ToString());
        await Expect(page.Locator("figure[data-chart='Validation exact match']")).ToHaveAttributeAsync("data-points", history.GetProperty("validation_curve").GetArrayLength().ToString());
        await Expect(page.Locator("#per-digit tbody tr")).ToHaveCountAsync(history.GetProperty("per_digit_accuracy").GetArrayLength());

        var cancel = new HttpRequestMessage(HttpMethod.Post, "/api/sweeps/quickstart/cancel") { Headers = { Authorization = new("Bearer", Token) } };
        Assert.True((await http.SendAsync(cancel)).IsSuccessStatusCode);
        Assert.True(await run.WaitForExitAsync(TimeSpan.FromSeconds(90)), "actorsweep run did not end after the cancel\n" + run.Output);
    }

    /// <summary>What a page did, for failure messages: script errors, failed responses, requests that never finished.</summary>
    sealed class PageLog
    {
        readonly List<string> _problems = [];
        readonly Dictionary<IRequest, string> _pending = [];

        public PageLog(IPage page)
        {
            page.PageError += (_, e) => { lock (_problems) _problems.Add("script error: " + e); };
            page.Response += (_, r) => { if (r.Status >= 400 && !r.Url.EndsWith("/favicon.ico")) lock (_problems) _problems.Add($"{r.Status} from {r.Url}"); };
            page.Request += (_, r) => { lock (_pending) _pending[r] = $"{DateTime.UtcNow:HH:mm:ss.fff} {r.Method} {r.Url}"; };
            page.RequestFinished += (_, r) => { lock (_pending) _pending.Remove(r); };
            page.RequestFailed += (_, r) => { lock (_pending) _pending.Remove(r); };
        }

        public IReadOnlyList<string> Problems { get { lock (_problems) return [.. _problems]; } }

        public override string ToString()
        {
            lock (_problems) lock (_pending)
                return $"problems: {string.Join("; ", _problems)}\npending: {string.Join("; ", _pending.Values)}";
        }
    }

    /// <summary>Waits for a run's page to render its charts (or its error), with what the page did on failure.</summary>
    async Task OpenRunPage(IPage page, PageLog log, string url)
    {
        await page.GotoAsync(url);
        try { await Assertions.Expect(page.Locator("figure[data-chart='Training loss'], p.message.error").First).ToBeVisibleAsync(); }
        catch (PlaywrightException e) { throw new InvalidOperationException($"{url} did not render: {e.Message.Split('\n')[0]}\n{log}\n{await page.InnerTextAsync("main")}\n{ServerErrors()}"); }
        Assert.True(log.Problems.All(p => p.Contains("/cancel")), log + "\n" + await page.InnerTextAsync("main") + "\n" + ServerErrors()); // a refused cancel's 401 is the test's own
    }

    /// <summary>The errors in the host's log beside the test's databases.</summary>
    string ServerErrors() => string.Join("\n", Directory.EnumerateFiles(_dir, "actorsweep.log", SearchOption.AllDirectories).SelectMany(File.ReadLines).Where(l => l.Contains(" Error ") || l.Contains("Exception")).TakeLast(20));

    static string? Status(HttpClient http, string runId) =>
        http.GetFromJsonAsync<JsonElement>("/api/sweeps/dash-xss/runs").Result.EnumerateArray()
            .FirstOrDefault(r => r.GetProperty("run_id").GetString() == runId).GetProperty("status").GetString();

    internal static void AssertAccessible(Deque.AxeCore.Commons.AxeResult result, string where)
    {
        var serious = result.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        Assert.True(serious.Count == 0, $"{where}: " + string.Join("; ", serious.Select(v => $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Html))}")));
    }

    /// <summary>The dashboard's address from the first lines `actorsweep run` prints.</summary>
    internal static async Task<string> DashboardUrl(NodeProcess run)
    {
        string? url = null;
        await Eventually.TrueAsync(() => (url = DashboardLine().Match(run.Output) is { Success: true } m ? m.Groups[1].Value : null) is not null || run.HasExited,
            TimeSpan.FromSeconds(60), "actorsweep run to print its dashboard's address");
        return url ?? throw new InvalidOperationException("actorsweep run ended before printing its dashboard:\n" + run.Output);
    }

    static ILocatorAssertions Expect(ILocator locator)
    {
        Assertions.SetDefaultExpectTimeout(30_000);
        return Assertions.Expect(locator);
    }

    [GeneratedRegex(@"Dashboard (http://127\.0\.0\.1:\d+/)")]
    private static partial Regex DashboardLine();
}

/// <summary>Debian's chromium, launched by Playwright (its own browser download needs the internet).</summary>
public static class Browser
{
    public const string Chromium = "/usr/bin/chromium";

    public static Task<IBrowser> LaunchAsync(IPlaywright playwright)
    {
        if (!File.Exists(Chromium)) throw new InvalidOperationException($"{Chromium} is missing: apt-get install chromium (scripts/test.sh does)");
        // --no-sandbox: the tests may run as root, where chromium's sandbox refuses to start.
        return playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Args = ["--no-sandbox"] });
    }
}

/// <summary>Browser tests run one at a time: each drives a chromium and an `actorsweep run` on 2 cores.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BrowserCollection
{
    public const string Name = "Browser";
}
