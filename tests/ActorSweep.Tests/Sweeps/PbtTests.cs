using System.Globalization;
using System.Text.Json;
using ActorSweep.Messages.Runs;
using ActorSweep.Messages.Serialization;
using ActorSweep.Messages.Sweeps;
using ActorSweep.Seed.Hosting;
using ActorSweep.Seed.Persistence;
using ActorSweep.Seed.Supervisor;
using ActorSweep.Seed.Sweeps;
using ActorSweep.Tasks.Noop;
using ActorSweep.Tests.Infrastructure;

namespace ActorSweep.Tests.Sweeps;

/// <summary>
/// <c>scheduler: pbt</c>: the sweep file's section, the decisions on their own (pure), and real
/// sweeps through the embedded runner: exploits copy the donor's checkpoint, so the donor's later
/// clean-ups cannot break them, and no run waits for another.
/// </summary>
public sealed class PbtTests(PostgresServer postgres)
{
    /// <summary>Six noop runs on Branin's score, 24 steps each, judged every 4 steps; x1 and x2 explored.</summary>
    static string Population(string extra = "") => $$"""
        name: pbt
        task: noop
        seeds: [1]
        defaults: { steps: 24, checkpoint_every: 4, objective: branin }
        random:
          samples: 6
          seed: 3
          space:
            x1: { uniform: [-5, 10] }
            x2: { uniform: [0, 15] }
        scheduler: { type: pbt, interval: 4, quantile: 0.34, perturb: [x1, x2]{{extra}} }

        """;

    [Fact]
    public void The_section_is_read_with_its_defaults_and_the_resample_space()
    {
        var pbt = Assert.IsType<PbtScheduler>(SweepHarness.Sweep(Population()).Scheduler);
        Assert.Equal((4L, 0.34, 0.25, 3L), (pbt.Interval, pbt.Quantile, pbt.ResampleProbability, pbt.Seed));
        Assert.Equal(["x1", "x2"], pbt.Perturb);
        Assert.Equal(["x1", "x2"], pbt.Resample.Select(d => d.Name));
        Assert.Equal(new MetricGoal(MetricGoal.ValidationExactMatch, true), pbt.Goal);
    }

    [Theory]
    [InlineData("perturb: [x1, x2]", "perturb: [steps]", "scheduler.perturb: 'steps' cannot change in the middle of a run")]
    [InlineData("perturb: [x1, x2]", "perturb: [x3]", "scheduler.perturb: 'x3' is not an option of task 'noop'")]
    [InlineData("perturb: [x1, x2]", "perturb: [x1, x1]", "scheduler.perturb: 'x1' is listed twice")]
    [InlineData("interval: 4", "interval: 24", "scheduler.interval: 24 is not below the 24 steps of the shortest run")]
    [InlineData("quantile: 0.34", "quantile: 0.7", "scheduler.quantile: 0.7 is not in (0, 0.5]")]
    [InlineData("samples: 6", "samples: 1", "a population needs at least 2 runs")]
    public void Bad_settings_are_refused_naming_the_setting(string from, string to, string message)
    {
        var error = Assert.Throws<SweepFileException>(() => SweepHarness.Sweep(Population().Replace(from, to)));
        Assert.Contains(message, error.Message);
        Assert.Matches(@"^test\.yaml:\d+:\d+: ", error.Message);
    }

    [Fact]
    public void A_model_shape_option_is_refused_for_the_addition_task()
    {
        string yaml = """
            name: shapes
            task: addition
            budget: { steps: 600, eval_every: 200, checkpoint_every: 200 }
            grid: { lr: [0.01, 0.02] }
            scheduler: { type: pbt, interval: 200, perturb: [lr, d_model] }
            """;
        var error = Assert.Throws<SweepFileException>(() => SweepHarness.Sweep(yaml));
        Assert.Contains("scheduler.perturb: 'd_model' cannot change in the middle of a run (a model-shape or data option: the checkpoint holds it); " +
                        "PBT can perturb lr, warmup_ratio, final_lr_ratio, decay_ratio, weight_decay, final_weight_decay, beta1, beta2, epsilon, clip_norm", error.Message);
    }

    /// <summary>The population after the given runs paused at step 4 with their Branin scores (every run's checkpoint there).</summary>
    static SweepState PausedAtFirstInterval(SweepDefinition definition, int paused)
    {
        var state = SweepState.Empty(definition.SweepId);
        foreach (var e in SweepDecisions.Submit(state, definition, SweepFixtures.T0).Events) state = state.Apply(e);
        foreach (var e in SweepDecisions.Assign(state, "n1", definition.Runs.Count, SweepFixtures.T0)) state = state.Apply(e);
        foreach (var spec in definition.Runs.Take(paused))
        {
            double value = ((NoopDefinition)spec.Definition).ValidationAt(4);
            var checkpoint = new CheckpointInfo(4, $"{spec.RunId}/4", new RunSummary(0, value));
            state = state.Apply(new RunPaused(state.SweepId, spec.RunId, 1, checkpoint, 0, value, SweepFixtures.T0));
        }
        return state;
    }

    [Fact]
    public void A_run_in_the_bottom_exploits_a_top_run_with_its_options_explored_and_the_rest_go_on()
    {
        var definition = SweepHarness.Sweep(Population());
        var pbt = (PbtScheduler)definition.Scheduler!;
        var state = PausedAtFirstInterval(definition, paused: 6);
        var events = PbtDecisions.After(state, pbt, SweepFixtures.T0);
        var ranked = PbtDecisions.Ranked(state, pbt);
        Assert.Equal(6, ranked.Count);
        var bottom = ranked.TakeLast(2).Select(r => r.Spec.RunId).ToHashSet();  // ⌊6 · 0.34⌋ = 2
        var top = ranked.Take(2).Select(r => r.Spec.RunId).ToHashSet();
        var exploits = events.OfType<RunExploited>().ToList();
        Assert.Equal(bottom, exploits.Select(x => x.RunId).ToHashSet());
        Assert.All(exploits, x =>
        {
            Assert.Contains(x.DonorId, top);
            var donor = state.Runs[x.DonorId];
            Assert.Equal(donor.Checkpoint, x.Donor); // the donor's latest checkpoint
            foreach (var option in new[] { "x1", "x2" })
            {
                double from = double.Parse(donor.Spec.Options[option], CultureInfo.InvariantCulture), to = double.Parse(x.After[option], CultureInfo.InvariantCulture);
                var dimension = pbt.Resample.Single(d => d.Name == option);
                // ×0.8, ×1.2 (clamped to the space), or drawn afresh from the space.
                Assert.True(to >= dimension.Low && to <= dimension.High, $"{option}={to} is outside the space");
                Assert.Equal(x.After[option], x.Spec.Options[option]);
                Assert.Equal(state.Runs[x.RunId].Spec.Options[option], x.Before[option]);
            }
            Assert.Equal(x.RunId, x.Spec.RunId);
            Assert.Equal(NoopSchema.BraninScore(double.Parse(x.After["x1"], CultureInfo.InvariantCulture), double.Parse(x.After["x2"], CultureInfo.InvariantCulture)),
                ((NoopDefinition)x.Spec.Definition).Plateau); // the task read the explored options
        });
        // Every paused run goes back to the queue at once: the exploiters after their exploit, the others as they are.
        Assert.Equal(definition.Runs.Select(r => r.RunId).Order(), events.OfType<RunPromoted>().Select(p => p.RunId).Order());
        Assert.Equal(Json(events), Json(PbtDecisions.After(state, pbt, SweepFixtures.T0))); // deterministic
    }

    [Fact]
    public void No_run_waits_for_the_others_and_none_exploits_a_donor_without_a_checkpoint()
    {
        var definition = SweepHarness.Sweep(Population());
        var pbt = (PbtScheduler)definition.Scheduler!;
        // Two of six have a result: the lower one is judged against those two alone, and goes on or exploits at once.
        var early = PausedAtFirstInterval(definition, paused: 2);
        var events = PbtDecisions.After(early, pbt, SweepFixtures.T0);
        Assert.Equal(2, events.OfType<RunPromoted>().Count());

        // Results but no checkpoint to copy (handed back before it was kept): nothing to exploit.
        var state = PausedAtFirstInterval(definition, paused: 6);
        foreach (var run in PbtDecisions.Ranked(state, pbt).Take(3))
            state = state with { Runs = state.Runs.SetItem(run.Spec.RunId, run with { Checkpoint = null }) };
        var none = PbtDecisions.After(state, pbt, SweepFixtures.T0);
        Assert.DoesNotContain(none, e => e is RunExploited);
    }

    /// <summary>
    /// A real PBT sweep, one slot for six runs: it finishes with every run completed (none left
    /// paused), its exploits resumed from their copies under the exploiting run's name (the donors'
    /// own checkpoints are cleaned up as they go on, and some are gone by the end), and the journal
    /// replays the lineage that `replay` and `status` show.
    /// </summary>
    [Fact]
    public async Task A_PBT_sweep_finishes_every_run_and_each_exploit_resumes_from_its_own_copy()
    {
        await using var harness = await SweepHarness.CreateAsync("sqlite", postgres);
        var (_, client) = await harness.StartAsync(slots: 1);
        var definition = SweepHarness.Sweep(Population());
        var state = await SweepHarness.RunAsync(client, definition, TimeSpan.FromMinutes(2));
        Assert.True(state.Finished);
        Assert.All(state.Runs.Values, r => Assert.Equal(RunStatus.Completed, r.Status));
        Assert.NotEmpty(state.Exploits);

        await using var journal = await JournalReader.OpenAsync(harness.Database);
        var events = (await journal.EventsAsync("pbt")).Select(e => e.Event).ToList();
        var store = harness.Database.CheckpointStore();
        foreach (var x in state.Exploits)
        {
            Assert.NotEqual(x.Donor.Reference, x.Checkpoint.Reference);
            Assert.Contains(x.RunId, x.Checkpoint.Reference);
            // The run's next attempt starts from the copy: the donor's step, the donor's bytes.
            int at = events.FindIndex(e => e is RunExploited y && y.RunId == x.RunId && y.Checkpoint.Reference == x.Checkpoint.Reference);
            Assert.True(at >= 0);
            var resumed = events.Skip(at).OfType<RunAssigned>().First(a => a.RunId == x.RunId);
            Assert.Equal(x.Checkpoint, resumed.ResumeFrom);
        }
        // The donors went on and cleaned up: some original references are gone, yet every exploit resumed.
        Assert.Contains(state.Exploits, x => !Exists(store, x.Donor.Reference));
        // The final result of an exploited run is its last options' Branin score: it trained them.
        foreach (var id in state.Exploits.Select(x => x.RunId).Distinct())
        {
            var run = state.Runs[id];
            Assert.Equal(((NoopDefinition)run.Spec.Definition).ValidationAt(24), run.Report!.ExactMatch, 12);
        }
        Assert.Equal(Json(state), Json(JournalReader.Fold("pbt", events)));

        var replay = await Cli.CliRunner.RunAsync("replay", "pbt", "--db", harness.DatabasePath);
        var first = state.Exploits[0];
        Assert.Contains($"{first.RunId} exploited {first.DonorId} at step {first.Donor.Step}: x1=", replay.Output);
        var status = await Cli.CliRunner.RunAsync("status", "pbt", "--db", harness.DatabasePath);
        Assert.Contains($"lineage (pbt every 4 steps, validation_exact_match (max); {state.Exploits.Count} exploit(s)", status.Output);
        string report = Path.Combine(harness.Directory, "report");
        var results = await Cli.CliRunner.RunAsync("results", "pbt", "--db", harness.DatabasePath, "--report", report);
        Assert.True(results.ExitCode == 0, results.Error);
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(report, "results.json")));
        var lineage = document.RootElement.GetProperty("lineage");
        Assert.Equal(state.Exploits.Count, lineage.GetArrayLength());
        Assert.Equal(first.DonorId, lineage[0].GetProperty("donor_id").GetString());
    }

    static bool Exists(ActorSweep.Hosting.Storage.ICheckpointStore store, string reference)
    {
        try { store.Load(reference); return true; }
        catch (FileNotFoundException) { return false; }
    }

    static string Json(object? value) => JsonSerializer.Serialize(value, SweepMessageSerializer.Json);
}
