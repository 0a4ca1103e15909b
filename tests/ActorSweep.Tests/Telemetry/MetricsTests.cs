using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using ActorSweep.Tests.Infrastructure;

namespace ActorSweep.Tests.Telemetry;

/// <summary>
/// What a live host exports at /metrics: the names PLATFORM.md's rules give, bounded labels, every
/// series the shipped Grafana dashboards query, and a real Prometheus that scrapes and answers.
/// </summary>
public sealed partial class MetricsTests(LiveMetricsHost host, ITestOutputHelper output) : IClassFixture<LiveMetricsHost>
{
    // attempt: only on per-run gauges, which exist only while their run is active (one attempt per run at a time).
    static readonly string[] AllowedLabels = ["otel_scope_name", "sweep", "node", "run", "attempt", "state", "reason", "final", "le", "by"];

    [Fact]
    public async Task Every_instrument_is_exported_with_prometheus_names_and_bounded_labels()
    {
        var series = await host.ScrapeAsync();
        string[] expected =
        [
            "actorsweep_sweep_runs", "actorsweep_sweep_assignments_total", "actorsweep_sweep_requeues_total",
            "actorsweep_sweep_failures_total", "actorsweep_sweep_completions_total", "actorsweep_journal_write_duration_seconds_bucket",
            "actorsweep_node_slots", "actorsweep_train_steps_total", "actorsweep_train_step_duration_seconds_bucket",
            "actorsweep_checkpoint_duration_seconds_bucket", "actorsweep_run_loss", "actorsweep_run_validation_exact_match",
            "actorsweep_run_step", "actorsweep_sweep_pauses_total", "actorsweep_sweep_promotions_total", "actorsweep_sweep_prunings_total",
        ];
        Assert.All(expected, name => Assert.True(series.ContainsKey(name), $"{name} is not exported; got {string.Join(", ", series.Keys.Where(k => k.StartsWith("actorsweep")))}"));
        foreach (var (name, labels) in series.Where(s => s.Key.StartsWith("actorsweep_")))
            Assert.True(labels.IsSubsetOf(AllowedLabels), $"{name} has unbounded or unexpected labels: {string.Join(", ", labels.Except(AllowedLabels))}");
        Assert.Contains("run", series["actorsweep_run_loss"]);
        Assert.Contains("attempt", series["actorsweep_run_loss"]);
        Assert.DoesNotContain("attempt", series["actorsweep_sweep_runs"]);
        Assert.DoesNotContain("run", series["actorsweep_train_step_duration_seconds_bucket"]); // never a run id on a histogram

        string text = await host.Http.GetStringAsync("/metrics");
        Assert.Matches("actorsweep_sweep_runs\\{[^}]*state=\"completed\"[^}]*\\} 1", text);
        Assert.Matches("actorsweep_sweep_requeues_total\\{[^}]*reason=\"failed\"[^}]*\\} 1", text);
        Assert.Matches("actorsweep_node_slots\\{[^}]*state=\"busy\"[^}]*\\} 1", text); // the long run holds one of two slots
        Assert.Matches("actorsweep_sweep_runs\\{[^}]*state=\"pruned\"[^}]*sweep=\"scheduled\"[^}]*\\} 2", text); // 3 runs, 1 trained to the end
        Assert.Matches("actorsweep_sweep_promotions_total\\{[^}]*by=\"scheduler\"[^}]*\\} [1-9]", text);
    }

    [Fact]
    public async Task Every_dashboard_panel_queries_metrics_a_live_scrape_exposes()
    {
        var exposed = (await host.ScrapeAsync()).Keys.ToHashSet();
        var dashboards = Directory.GetFiles(Path.Combine(TestEnvironment.RepositoryRoot, "src", "Telemetry", "dashboards"), "*.json");
        Assert.Equal(3, dashboards.Length);
        int panels = 0;
        foreach (var file in dashboards)
        {
            var root = JsonDocument.Parse(File.ReadAllText(file)).RootElement;
            Assert.False(string.IsNullOrEmpty(root.GetProperty("uid").GetString()), $"{file} has no uid");
            foreach (var panel in root.GetProperty("panels").EnumerateArray())
            {
                panels++;
                string title = panel.GetProperty("title").GetString()!;
                var names = panel.GetProperty("targets").EnumerateArray()
                    .SelectMany(t => MetricName().Matches(t.GetProperty("expr").GetString()!).Select(m => m.Value)).ToList();
                Assert.True(names.Count > 0, $"{Path.GetFileName(file)} / {title}: no ActorSweep metric in its queries");
                foreach (var name in names)
                    Assert.True(exposed.Contains(name), $"{Path.GetFileName(file)} / {title} queries {name}, which /metrics does not expose");
            }
            foreach (var variable in root.GetProperty("templating").GetProperty("list").EnumerateArray().Where(v => v.GetProperty("type").GetString() == "query"))
                foreach (Match m in MetricName().Matches(variable.GetProperty("definition").GetString()!))
                    Assert.Contains(m.Value, exposed);
        }
        Assert.True(panels >= 12, $"only {panels} panels");
    }

    /// <summary>
    /// Every panel says its unit, and it fits the query: per-minute rates in counts per minute,
    /// per-second ones per second, durations in seconds. Rates use Grafana's $__rate_interval,
    /// and a run's series are told apart by sweep, run and attempt.
    /// </summary>
    [Fact]
    public void Every_dashboard_panel_has_the_unit_and_legend_its_query_calls_for()
    {
        foreach (var file in Directory.GetFiles(Path.Combine(TestEnvironment.RepositoryRoot, "src", "Telemetry", "dashboards"), "*.json"))
            foreach (var panel in JsonDocument.Parse(File.ReadAllText(file)).RootElement.GetProperty("panels").EnumerateArray())
            {
                string what = $"{Path.GetFileName(file)} / {panel.GetProperty("title").GetString()}";
                string unit = panel.GetProperty("fieldConfig").GetProperty("defaults").GetProperty("unit").GetString()!;
                var targets = panel.GetProperty("targets").EnumerateArray().Select(t => (Expr: t.GetProperty("expr").GetString()!, Legend: t.GetProperty("legendFormat").GetString()!)).ToList();
                foreach (var (expr, legend) in targets)
                {
                    Assert.False(Regex.IsMatch(expr, @"\brate\([^)]*\[\d+[smh]\]"), $"{what}: a fixed rate window in {expr} ($__rate_interval belongs there)");
                    string expected = expr.Contains("* 60") ? "cpm"
                        : expr.Contains("histogram_quantile") && expr.Contains("_seconds_bucket") ? "s"
                        : Regex.IsMatch(expr, @"^sum by \([^)]*\) \(rate\(") ? "cps"
                        : unit;
                    Assert.True(expected == unit, $"{what}: unit '{unit}' for {expr}, expected '{expected}'");
                    if (expr.Contains("actorsweep_run_"))
                        foreach (var label in new[] { "{{sweep}}", "{{run}}", "{{attempt}}" })
                            Assert.True(legend.Contains(label), $"{what}: legend '{legend}' lacks {label}");
                }
                Assert.False(string.IsNullOrEmpty(unit), $"{what} has no unit");
            }
    }

    [Fact]
    public async Task A_real_Prometheus_scrapes_the_host_and_its_query_api_returns_the_sweep_series()
    {
        string? prometheus = new[] { "/usr/bin/prometheus", "/usr/local/bin/prometheus" }.FirstOrDefault(File.Exists);
        if (prometheus is null)
        {
            const string why = "Prometheus is not installed (apt-get install prometheus; scripts/test.sh does)";
            if (Environment.GetEnvironmentVariable("ACTORSWEEP_REQUIRE_PROMETHEUS") == "1") Assert.Fail(why);
            Assert.Skip(why);
        }
        string dir = Directory.CreateTempSubdirectory("actorsweep-prometheus-").FullName;
        int port = PostgresServer.FreePort();
        var target = new Uri(host.Url);
        File.WriteAllText(Path.Combine(dir, "prometheus.yml"), $$"""
            global: { scrape_interval: 1s, evaluation_interval: 1s }
            scrape_configs:
              - job_name: actorsweep
                metrics_path: /metrics
                static_configs: [{ targets: ["{{target.Host}}:{{target.Port}}"] }]
            """);
        var start = new ProcessStartInfo(prometheus) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { $"--config.file={dir}/prometheus.yml", $"--storage.tsdb.path={dir}/data", $"--web.listen-address=127.0.0.1:{port}" })
            start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var log = process.StandardError.ReadToEndAsync();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        try
        {
            double completed = await QueryUntilAsync(http, $"actorsweep_sweep_runs{{state=\"completed\",sweep=\"{LiveMetricsHost.SweepName}\"}}", v => v > 0, process);
            Assert.Equal(1, completed);
            double steps = await QueryUntilAsync(http, "sum(actorsweep_train_steps_total)", v => v > 0, process);
            output.WriteLine($"Prometheus sees 1 completed run and {steps} training steps");
            var up = await QueryUntilAsync(http, "up{job=\"actorsweep\"}", v => v == 1, process);
            Assert.Equal(1, up);
        }
        finally
        {
            if (!process.HasExited) process.Kill();
            await process.WaitForExitAsync();
            output.WriteLine(Tail(await log));
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Asks Prometheus's HTTP query API until the instant query's first value satisfies the condition.</summary>
    static async Task<double> QueryUntilAsync(HttpClient http, string query, Func<double, bool> condition, Process prometheus)
    {
        string last = "";
        for (var deadline = DateTime.UtcNow.AddSeconds(60); DateTime.UtcNow < deadline; await Task.Delay(250))
        {
            Assert.False(prometheus.HasExited, "prometheus exited");
            try { last = await http.GetStringAsync($"/api/v1/query?query={Uri.EscapeDataString(query)}"); }
            catch (HttpRequestException) { continue; } // still starting
            var result = JsonDocument.Parse(last).RootElement.GetProperty("data").GetProperty("result");
            if (result.GetArrayLength() == 0) continue;
            double value = double.Parse(result[0].GetProperty("value")[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture);
            if (condition(value)) return value;
        }
        Assert.Fail($"Prometheus never answered {query} as expected; last answer: {last}");
        return 0;
    }

    static string Tail(string text) => text.Length > 3000 ? text[^3000..] : text;

    [GeneratedRegex("actorsweep_[a-zA-Z0-9_]+")]
    private static partial Regex MetricName();
}
