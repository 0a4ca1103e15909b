using ActorSweep.Hosting.Clustering;
using ActorSweep.Hosting.Web;
using ActorSweep.Seed.Hosting;
using ActorSweep.Cli;
using ActorSweep.Seed.Api;
using Microsoft.AspNetCore.Builder;

namespace ActorSweep.Tests.Telemetry;

/// <summary>
/// A seed host with two worker slots running a sweep that exercises every instrument: one run
/// completes, one attempt fails and is requeued, and a long run stays active (so the per-run loss,
/// validation and step series exist) while the tests scrape. A second, scheduled sweep pauses,
/// promotes and prunes runs on the other slot, for the scheduler's series.
/// </summary>
public sealed class LiveMetricsHost : IAsyncLifetime
{
    public const string SweepName = "metrics";
    const string Sweep = """
        name: metrics
        task: addition
        seeds: [1]
        retries: 2
        budget: { eval_every: 20, checkpoint_every: 20 }
        defaults:
          d_model: 8
          d_ff: 16
          batch_size: 16
          eval_digits: 3
          eval_size: 20
          validation_size: 100
          test_size: 100
        runs:
          - { name: short, steps: 60, curriculum: [[1, 3, 60]] }
          - { name: long, steps: 1000000, curriculum: [[1, 3, 1000000]] }
        """;

    const string Scheduled = """
        name: scheduled
        task: noop
        seeds: [1]
        defaults: { steps: 9 }
        grid: { rate: [0.1, 0.2, 0.3] }
        scheduler: { type: asha, min_steps: 1, reduction_factor: 3 }
        """;

    readonly string _dir = Directory.CreateTempSubdirectory("actorsweep-metrics-").FullName;
    WebApplication _host = null!;

    public string Url { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        var database = JournalDatabase.Sqlite(Path.Combine(_dir, "actorsweep.db"));
        _host = SeedHost.Build(new SeedOptions(new ClusterSetup(), database)
        {
            ApiUrls = "http://127.0.0.1:0", LogFile = Path.Combine(_dir, "seed.log"),
            // The short run's first attempt fails once, so the failure and requeue series exist too.
            Worker = EmbeddedHost.Worker(2, null, database, n => n with { InjectFault = (a, step) => a.Run.Name == "short" && a.Attempt == 1 && step == 30 }),
        });
        await _host.StartAsync();
        Url = NodeWebHost.ListeningUrls(_host).Single();
        Http = new HttpClient { BaseAddress = new Uri(Url) };
        using var api = ApiClient.Create(Url, null);
        await api.SubmitAsync(Sweep, "metrics.yaml");
        for (var deadline = DateTime.UtcNow.AddMinutes(1); ; await Task.Delay(100))
        {
            var reply = await api.StateAsync(SweepName);
            if (reply.State!.Summary().Completed == 1 && reply.Live!.Any(p => p.RunId.StartsWith("long") && p.ValidationExactMatch is not null)) break;
            Assert.True(DateTime.UtcNow < deadline, $"the metrics sweep did not get going: {reply.State.Summary()}");
        }
        await api.SubmitAsync(Scheduled, "scheduled.yaml");
        for (var deadline = DateTime.UtcNow.AddMinutes(1); !(await api.StateAsync("scheduled")).State!.Finished; await Task.Delay(100))
            Assert.True(DateTime.UtcNow < deadline, "the scheduled sweep did not finish");
    }

    /// <summary>One scrape of /metrics: every sample's metric name with its label names.</summary>
    public async Task<Dictionary<string, HashSet<string>>> ScrapeAsync()
    {
        string text = await Http.GetStringAsync("/metrics");
        var series = new Dictionary<string, HashSet<string>>();
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#') continue;
            int brace = line.IndexOf('{'), space = line.IndexOf(' ');
            string name = line[..(brace >= 0 && brace < space ? brace : space)];
            var labels = brace >= 0 && brace < space
                ? System.Text.RegularExpressions.Regex.Matches(line[brace..line.IndexOf('}')], "([a-zA-Z_][a-zA-Z0-9_]*)=\"").Select(m => m.Groups[1].Value)
                : [];
            if (!series.TryGetValue(name, out var set)) series[name] = set = [];
            set.UnionWith(labels);
        }
        return series;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _host.StopAsync();
        await _host.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
