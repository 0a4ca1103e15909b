using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ActorSweep.Hosting.Clustering;
using ActorSweep.Hosting.Web;
using ActorSweep.Messages.Sweeps;
using ActorSweep.Seed.Hosting;
using ActorSweep.Cli;
using ActorSweep.Seed.Persistence;
using ActorSweep.Tests.Cli;
using Microsoft.AspNetCore.Builder;

namespace ActorSweep.Tests.Cluster;

/// <summary>The seed host's HTTP API on a real Kestrel socket: binding, tokens, bad requests, and the command line that talks to it.</summary>
public sealed class ApiTests : IAsyncLifetime
{
    const string Token = "s3cret-token";
    const string Sweep = "name: api\ntask: noop\nseeds: [1, 2]\ndefaults: { steps: 3 }\n";
    readonly string _dir = Directory.CreateTempSubdirectory("actorsweep-api-").FullName;
    WebApplication _host = null!;
    HttpClient _http = null!;
    string _url = null!;

    string DatabasePath => Path.Combine(_dir, "actorsweep.db");

    public async ValueTask InitializeAsync()
    {
        var database = JournalDatabase.Sqlite(DatabasePath);
        _host = SeedHost.Build(new SeedOptions(new ClusterSetup(), database)
        {
            ApiUrls = "http://127.0.0.1:0", ApiToken = Token, Worker = EmbeddedHost.Worker(1, null, database), LogFile = Path.Combine(_dir, "seed.log"),
        });
        await _host.StartAsync();
        _url = NodeWebHost.ListeningUrls(_host).Single();
        _http = new HttpClient { BaseAddress = new Uri(_url) };
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _host.StopAsync();
        await _host.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    HttpRequestMessage Post(string path, string? body, string? token)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = body is null ? null : new StringContent(body, Encoding.UTF8, "application/yaml") };
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    static async Task<string> ErrorOf(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString()!;

    [Fact]
    public void The_API_binds_to_loopback_unless_configured_otherwise()
    {
        Assert.StartsWith("http://127.0.0.1:", _url);
        var defaults = new SeedOptions(new ClusterSetup(), JournalDatabase.Sqlite(DatabasePath));
        Assert.True(SeedHost.IsLoopbackOnly(defaults.ApiUrls), defaults.ApiUrls);
        Assert.True(SeedHost.IsLoopbackOnly("http://localhost:1;http://[::1]:2"));
        Assert.False(SeedHost.IsLoopbackOnly("http://0.0.0.0:8080"));
        Assert.False(SeedHost.IsLoopbackOnly("http://*:8080"));
        Assert.False(SeedHost.IsLoopbackOnly("http://127.0.0.1:1;http://10.1.2.3:2"));
    }

    [Fact]
    public async Task Mutating_calls_need_the_bearer_token_and_reads_do_not()
    {
        var missing = await _http.SendAsync(Post("api/sweeps", Sweep, token: null));
        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        Assert.Equal("Bearer", missing.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Contains("Authorization: Bearer", await ErrorOf(missing));
        var wrong = await _http.SendAsync(Post("api/sweeps", Sweep, token: "guess"));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _http.SendAsync(Post("api/sweeps/api/cancel", null, token: null))).StatusCode);
        Assert.Empty((await Sweeps()).Sweeps); // nothing was submitted

        Assert.Equal(HttpStatusCode.Created, (await _http.SendAsync(Post("api/sweeps", Sweep, Token))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _http.SendAsync(Post("api/sweeps", Sweep, Token))).StatusCode); // again: resumed
        var other = await _http.SendAsync(Post("api/sweeps", Sweep.Replace("[1, 2]", "[3]"), Token));
        Assert.Equal(HttpStatusCode.Conflict, other.StatusCode);
        Assert.Contains("different contents", await ErrorOf(other));
        Assert.Equal("api", Assert.Single((await Sweeps()).Sweeps).SweepId);
    }

    [Theory]
    [InlineData("name: bad\ntask: noop\nseeds: [1\n", "not valid YAML")]
    [InlineData("name: bad\ntask: noop\ndefaults: { stepz: 3 }\n", "'stepz' is not an option of task 'noop'")]
    [InlineData("name: bad\ntask: teleport\n", "unknown task 'teleport'")]
    [InlineData("   ", "empty body")]
    public async Task A_malformed_sweep_gets_400_with_the_reason_and_nothing_is_persisted(string body, string reason)
    {
        var response = await _http.SendAsync(Post("api/sweeps?source=bad.yaml", body, Token));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(reason, await ErrorOf(response));
        Assert.Empty((await Sweeps()).Sweeps);
        await using var journal = await JournalReader.OpenAsync(JournalDatabase.ExistingSqlite(DatabasePath));
        Assert.Empty(await journal.SweepIdsAsync());
    }

    [Fact]
    public async Task Unknown_sweeps_get_404_and_finished_ones_their_state_and_results()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync("api/sweeps/nope")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync("api/sweeps/nope/results")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync("api/sweeps/..%2Fetc")).StatusCode);

        var submit = await CliRunner.RunAsync("submit", WriteSweep(), "--api", _url, "--token", Token, "--wait");
        Assert.True(submit.ExitCode == 0, submit.Error);
        Assert.Contains("2 runs submitted", submit.Output);
        Assert.Contains("default@s1", submit.Output); // the results table

        var results = JsonDocument.Parse(await _http.GetStringAsync("api/sweeps/api/results")).RootElement;
        Assert.Equal(2, results.GetArrayLength());
        Assert.All(results.EnumerateArray(), r => Assert.Equal("completed", r.GetProperty("status").GetString()));
        // One naming convention for result rows: the API, `results --json` and results.json name fields alike (snake_case).
        var cli = await CliRunner.RunAsync("results", "api", "--api", _url, "--json");
        Assert.True(cli.ExitCode == 0, cli.Error);
        var cliRow = JsonDocument.Parse(cli.Output).RootElement[0];
        Assert.Equal(results[0].EnumerateObject().Select(p => p.Name), cliRow.EnumerateObject().Select(p => p.Name));
        Assert.Contains("run_id", cliRow.EnumerateObject().Select(p => p.Name));
        Assert.Contains("final_loss", cliRow.EnumerateObject().Select(p => p.Name));

        var status = await CliRunner.RunAsync("status", "api", "--api", _url);
        Assert.True(status.ExitCode == 0, status.Error);
        Assert.Contains("2 completed", status.Output);
        var list = await CliRunner.RunAsync("status", "--api", _url);
        Assert.Contains("finished", list.Output);
        var unknown = await CliRunner.RunAsync("results", "nope", "--api", _url);
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("no sweep named 'nope'; known sweeps: api", unknown.Error);
    }

    /// <summary>What the dashboard reads: run rows, a run's history, the event stream, and its pages under a strict CSP.</summary>
    [Fact]
    public async Task The_dashboard_is_served_under_a_strict_policy_and_reads_rows_history_and_events()
    {
        foreach (var page in new[] { "/", "/sweeps/api", "/sweeps/api/runs/default@s1" })
        {
            var response = await _http.GetAsync(page);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
            string csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
            Assert.Contains("script-src 'self'", csp);
            Assert.DoesNotContain("unsafe-inline", csp);
            Assert.Contains("<script src=\"/assets/app.js\"", await response.Content.ReadAsStringAsync());
        }
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync("/assets/vendor/uPlot.iife.min.js")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync("/assets/vendor/uPlot.LICENSE.txt")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync("/assets/nope.js")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync("/assets/..%2F..%2Fappsettings.json")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync("api/sweeps/nope/runs")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync("api/sweeps/nope/events")).StatusCode);

        var submit = await CliRunner.RunAsync("submit", WriteSweep(), "--api", _url, "--token", Token, "--wait");
        Assert.True(submit.ExitCode == 0, submit.Error);
        var rows = JsonDocument.Parse(await _http.GetStringAsync("api/sweeps/api/runs")).RootElement;
        Assert.Equal(["default@s1", "default@s2"], rows.EnumerateArray().Select(r => r.GetProperty("run_id").GetString()));
        Assert.All(rows.EnumerateArray(), r => Assert.Equal((3, 3, "completed"), (r.GetProperty("steps").GetInt32(), r.GetProperty("total_steps").GetInt32(), r.GetProperty("status").GetString())));
        var history = JsonDocument.Parse(await _http.GetStringAsync("api/sweeps/api/runs/default@s1/history")).RootElement;
        Assert.Equal(("completed", 3), (history.GetProperty("status").GetString(), history.GetProperty("total_steps").GetInt32()));
        Assert.Equal(0, history.GetProperty("points").GetArrayLength()); // a noop run without a curve reports no metric: no point
        var missing = await _http.GetAsync("api/sweeps/api/runs/nope/history");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("has no run 'nope'", await ErrorOf(missing));
        var list = JsonDocument.Parse(await _http.GetStringAsync("api/sweeps")).RootElement.GetProperty("sweeps")[0];
        Assert.True(list.GetProperty("startedAt").GetDateTimeOffset() <= list.GetProperty("finishedAt").GetDateTimeOffset());

        // The event stream opens with the sweep's summary, on one data line.
        using var stream = await _http.GetStreamAsync("api/sweeps/api/events");
        using var reader = new StreamReader(stream);
        var lines = new List<string>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!lines.Contains("event: summary"))
            lines.Add(await reader.ReadLineAsync(timeout.Token) ?? throw new EndOfStreamException(string.Join("\n", lines)));
        string data = (await reader.ReadLineAsync(timeout.Token))!;
        Assert.StartsWith("data: {", data);
        Assert.Equal(2, JsonDocument.Parse(data["data: ".Length..]).RootElement.GetProperty("completed").GetInt32());
    }

    /// <summary>
    /// A browser that leaves the dashboard unwatches its sweep and stops its watcher. The sweep's
    /// actor once took the second of those for an unhandled Terminated and died of it (a
    /// DeathPactException), after which every ask of the sweep timed out.
    /// </summary>
    [Fact]
    public async Task Watchers_that_come_and_go_leave_the_sweep_answering()
    {
        var submit = await CliRunner.RunAsync("submit", WriteSweep(), "--api", _url, "--token", Token, "--wait");
        Assert.True(submit.ExitCode == 0, submit.Error);
        var client = SweepClient.For(_host);
        for (int i = 0; i < 5; i++)
        {
            using var watch = client.Subscribe("api");
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            Assert.IsType<SweepStateReply>(await watch.Reader.ReadAsync(timeout.Token));
        }
        using var last = client.Subscribe("api");
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15)))
            Assert.IsType<SweepStateReply>(await last.Reader.ReadAsync(timeout.Token));
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync("api/sweeps/api/runs")).StatusCode);
    }

    [Fact]
    public async Task Cancel_through_the_command_line_needs_the_token_and_stops_the_sweep()
    {
        string file = WriteSweep("name: long\ntask: noop\nseeds: [1, 2, 3]\ndefaults: { steps: 100000, step_seconds: 0.001 }\n");
        Assert.Equal(0, (await CliRunner.RunAsync("submit", file, "--api", _url, "--token", Token)).ExitCode);
        var refused = await CliRunner.RunAsync("cancel", "long", "--api", _url);
        Assert.Equal(ExitFailed, refused.ExitCode);
        Assert.Contains("401", refused.Error);

        var cancelled = await CliRunner.RunAsync("cancel", "long", "--api", _url, "--token", Token);
        Assert.True(cancelled.ExitCode == 0, cancelled.Error);
        var state = await WaitAsync("long", s => s.Finished);
        Assert.True(state.Cancelled);
        Assert.All(state.Runs.Values, r => Assert.Equal(RunStatus.Cancelled, r.Status));
    }

    const int ExitFailed = 1;

    async Task<SweepState> WaitAsync(string sweep, Func<SweepState, bool> condition)
    {
        using var api = global::ActorSweep.Seed.Api.ApiClient.Create(_url, null);
        for (var deadline = DateTime.UtcNow.AddSeconds(60); ; await Task.Delay(50))
        {
            var state = (await api.StateAsync(sweep)).State!;
            if (condition(state)) return state;
            Assert.True(DateTime.UtcNow < deadline, $"sweep {sweep} did not get there: {state.Summary()}");
        }
    }

    async Task<SweepList> Sweeps() =>
        JsonSerializer.Deserialize<SweepList>(await _http.GetStringAsync("api/sweeps"), global::ActorSweep.Messages.Serialization.SweepMessageSerializer.Json)!;

    string WriteSweep(string yaml = Sweep)
    {
        string file = Path.Combine(_dir, $"sweep-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(file, yaml);
        return file;
    }

    [Fact]
    public async Task A_scheduled_sweep_shows_its_ladder_and_a_pruned_run_is_promoted_with_the_token_only()
    {
        const string Scheduled = "name: ladder\ntask: noop\nseeds: [1]\ndefaults: { steps: 9 }\ngrid: { rate: [0.1, 0.2, 0.3] }\nscheduler: { type: asha, min_steps: 1 }\n";
        Assert.Equal(HttpStatusCode.Created, (await _http.SendAsync(Post("/api/sweeps", Scheduled, Token))).StatusCode);
        using var api = ActorSweep.Seed.Api.ApiClient.Create(_url, Token);
        SweepState state;
        for (var deadline = DateTime.UtcNow.AddMinutes(1); !(state = (await api.StateAsync("ladder")).State!).Finished; await Task.Delay(100))
            Assert.True(DateTime.UtcNow < deadline, "the scheduled sweep did not finish");

        var ladder = JsonDocument.Parse(await _http.GetStringAsync("/api/sweeps/ladder/ladder")).RootElement;
        Assert.Equal(2, ladder.GetArrayLength()); // rungs at 1 and 3 steps
        Assert.Equal(3, ladder[0].GetProperty("reached").GetInt32());
        Assert.Equal(1, ladder[0].GetProperty("quota").GetInt32());

        var pruned = state.OrderedRuns.First(r => r.Status == RunStatus.Pruned).Spec.RunId;
        string promote = $"/api/sweeps/ladder/runs/{Uri.EscapeDataString(pruned)}/promote";
        Assert.Equal(HttpStatusCode.Unauthorized, (await _http.SendAsync(Post(promote, null, null))).StatusCode);
        var unknown = await _http.SendAsync(Post("/api/sweeps/ladder/runs/nope/promote", null, Token));
        Assert.Equal((HttpStatusCode.NotFound, "sweep 'ladder' has no run 'nope'"), (unknown.StatusCode, await ErrorOf(unknown)));
        var completed = state.OrderedRuns.First(r => r.Status == RunStatus.Completed).Spec.RunId;
        var refused = await _http.SendAsync(Post($"/api/sweeps/ladder/runs/{Uri.EscapeDataString(completed)}/promote", null, Token));
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("only a paused or pruned run can be promoted", await ErrorOf(refused));

        var cli = await CliRunner.RunAsync("promote", "ladder", pruned, "--api", _url, "--token", Token);
        Assert.True(cli.ExitCode == 0, cli.Output + cli.Error);
        Assert.Contains($"Run {pruned} of ladder promoted", cli.Output);
        for (var deadline = DateTime.UtcNow.AddMinutes(1); !(state = (await api.StateAsync("ladder")).State!).Finished || state.Runs[pruned].Rung < 1; await Task.Delay(100))
            Assert.True(DateTime.UtcNow < deadline, "the promoted run did not reach its next rung");
    }
}
