using System.Text.Json;
using ActorSweep.Tasks.Addition;
using ActorSweep.Seed.Sweeps;
using ActorSweep.Messages.Runs;

namespace ActorSweep.Tests.Sweeps;

public sealed class SweepFileTests
{
    static ActorSweep.Messages.Sweeps.SweepDefinition Parse(string yaml) => SweepFile.Parse(yaml, "s.yaml");

    static SweepFileException Fails(string yaml) => Assert.Throws<SweepFileException>(() => Parse(yaml));

    [Fact]
    public void Explicit_runs_grid_and_random_search_expand_once_per_seed()
    {
        var sweep = Parse("""
            name: mixed
            task: addition
            seeds: [1, 2]
            budget: { steps: 300, eval_every: 100, checkpoint_every: 50 }
            defaults: { batch_size: 64 }
            runs:
              - base: pico-7d-ff14-lr02
              - { name: wide, d_model: 16, d_ff: 64, seeds: [7] }
            grid:
              d_model: [8, 12]
              lr: [0.01, 0.003]
            random:
              samples: 3
              seed: 5
              space:
                lr: { log_uniform: [0.001, 0.03] }
                d_ff: { choice: [16, 32] }
            """);
        Assert.Equal("mixed", sweep.SweepId);
        Assert.Equal(2 + 1 + 4 * 2 + 3 * 2, sweep.Runs.Count);
        Assert.Equal(["pico-7d-ff14-lr02@s1", "pico-7d-ff14-lr02@s2", "wide@s7", "d_model=8,lr=0.01@s1"], sweep.Runs.Take(4).Select(r => r.RunId));
        Assert.All(sweep.Runs, r => Assert.Equal((300, 64, 50), (Addition(r).Run.Recipe.Steps, Addition(r).Run.Recipe.BatchSize, r.Definition.CheckpointEvery)));
        var random = sweep.Runs.Where(r => r.Name.StartsWith("random-")).ToList();
        Assert.All(random, r => Assert.InRange(Addition(r).Run.Recipe.PeakLearningRate, 0.001, 0.03));
        Assert.All(random, r => Assert.Equal(Addition(r).Run.Recipe.PeakLearningRate, double.Parse(r.Options["lr"], System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(random, Parse(SweepText()).Runs.Where(r => r.Name.StartsWith("random-")).ToList(), new SpecComparer());
        Assert.Equal(16, sweep.Hash.Length);

        static string SweepText() => """
            name: mixed
            task: addition
            seeds: [1, 2]
            budget: { steps: 300, eval_every: 100, checkpoint_every: 50 }
            defaults: { batch_size: 64 }
            random:
              samples: 3
              seed: 5
              space:
                lr: { log_uniform: [0.001, 0.03] }
                d_ff: { choice: [16, 32] }
            """;
    }

    sealed class SpecComparer : IEqualityComparer<ActorSweep.Messages.Runs.RunSpec>
    {
        public bool Equals(ActorSweep.Messages.Runs.RunSpec? a, ActorSweep.Messages.Runs.RunSpec? b) =>
            JsonSerializer.Serialize(a, ActorSweep.Messages.Serialization.SweepMessageSerializer.Json) == JsonSerializer.Serialize(b, ActorSweep.Messages.Serialization.SweepMessageSerializer.Json);
        public int GetHashCode(ActorSweep.Messages.Runs.RunSpec s) => s.RunId.GetHashCode();
    }

    [Fact]
    public void Precedence_is_base_then_budget_and_defaults_then_the_runs_own_options()
    {
        var sweep = Parse("""
            name: p
            task: addition
            budget: { steps: 1000 }
            defaults: { lr: 0.005, batch_size: 32 }
            runs:
              - { base: pico-7d-ff14-lr02, batch_size: 16 }
            """);
        var definition = Addition(sweep.Runs.Single()).Run;
        Assert.Equal(777, definition.Model.ParameterCount);          // from the base
        Assert.Equal(0.005, definition.Recipe.PeakLearningRate);      // defaults over the base's 0.02
        Assert.Equal(16, definition.Recipe.BatchSize);                // the run's own option wins
        Assert.Equal(1000, definition.Recipe.Steps);                  // budget
        Assert.Equal(42, definition.Seed);                            // default seed
    }

    [Fact]
    public void The_same_text_gives_the_same_hash_and_any_change_a_new_one()
    {
        const string text = "name: h\ntask: noop\ngrid: { steps: [1, 2] }\n";
        Assert.Equal(Parse(text).Hash, Parse(text).Hash);
        Assert.NotEqual(Parse(text).Hash, Parse(text.Replace("[1, 2]", "[1, 3]")).Hash);
        Assert.NotEqual(Parse(text).Hash, Parse(text + "retries: 5\n").Hash);
        Assert.NotEqual(Parse(text).Hash, Parse(text + "lease: 60\n").Hash);
        Assert.Equal(Parse(text).Hash, Parse(text + "lease: 300\n").Hash); // the default lease keeps older sweeps' hashes
        Assert.Equal((300, 60), (Parse(text).LeaseSeconds, Parse(text + "lease: 60\n").LeaseSeconds));
    }

    [Theory]
    [InlineData("name: x\ntask: addition\nrunz: []\n", "s.yaml:3:1: 'runz' is not a top level key (did you mean 'runs'?)")]
    [InlineData("name: x\ntask: addition\ndefaults:\n  d_modle: 7\n", "s.yaml:4:3: defaults.d_modle: 'd_modle' is not an option of task 'addition' (did you mean 'd_model'?)")]
    [InlineData("name: x\ntask: addition\ndefaults:\n  d_model: seven\n", "s.yaml:4:3: defaults.d_model: option 'd_model': \"seven\" is not an integer")]
    [InlineData("name: x\ntask: addition\nruns:\n  - { positions: spiral }\n", "s.yaml:4:7: runs[1].positions: option 'positions': \"spiral\" is not one of learned, sinusoidal, rope")]
    [InlineData("name: x\ntask: addition\nruns:\n  - { base: pico-9d }\n", "s.yaml:4:7: runs[1].base: unknown model 'pico-9d'")]
    [InlineData("name: x\ntask: addition\nruns:\n  - { d_model: 7, n_heads: 2 }\n", "s.yaml:4:5: configuration 'run-1': model option 'n_heads' = 2: must divide d_model (7)")]
    [InlineData("task: addition\n", "'name' is required")]
    [InlineData("name: x y\ntask: addition\n", "s.yaml:1:7: name 'x y' must be")]
    [InlineData("name: x\ntask: multiply\n", "s.yaml:2:7: unknown task 'multiply'; known tasks: addition, noop")]
    [InlineData("name: x\ntask: noop\nseeds: [1, 1]\n", "s.yaml:3:8: seeds: seeds must be distinct")]
    [InlineData("name: x\ntask: noop\nretries: -1\n", "s.yaml:3:10: retries: -1 is outside [0, 100]")]
    [InlineData("name: x\ntask: noop\nlease: 0\n", "s.yaml:3:8: lease: 0 is outside [1, 86400]")]
    [InlineData("name: x\ntask: noop\nruns:\n  - { name: a }\n  - { name: a }\n", "s.yaml:5:5: run 'a@s42' is defined twice (first at line 4)")]
    [InlineData("name: x\ntask: noop\ngrid:\n  steps: 5\n", "s.yaml:4:10: grid.steps: expected a non-empty list of values")]
    [InlineData("name: x\ntask: noop\nrandom:\n  samples: 2\n  space:\n    steps: { gaussian: [1, 2] }\n", "unknown distribution 'gaussian'")]
    [InlineData("name: x\ntask: addition\ndefaults:\n  curriculum: [[1, 12, 100]]\n", "option 'curriculum': curriculum phase 1-12 digits: digits must satisfy")]
    [InlineData("name: [unclosed\n", "s.yaml:2:1: not valid YAML")]
    [InlineData("name: x\ntask: noop\ndefaults: { steps: 90 }\nscheduler: { type: ashaa, min_steps: 10 }\n", "s.yaml:4:20: scheduler.type: unknown scheduler 'ashaa' (did you mean 'asha'?)")]
    [InlineData("name: x\ntask: noop\ndefaults: { steps: 90 }\nscheduler: { type: asha }\n", "s.yaml:4:12: scheduler.min_steps is required")]
    [InlineData("name: x\ntask: noop\ndefaults: { steps: 90 }\nscheduler: { type: asha, min_steps: 90 }\n", "scheduler.min_steps: 90 must be below max_steps (90)")]
    [InlineData("name: x\ntask: noop\ndefaults: { steps: 90 }\nscheduler: { type: asha, min_steps: 10, max_steps: 100 }\n", "scheduler.max_steps: 100 is more than the 90 steps of the shortest run")]
    [InlineData("name: x\ntask: noop\ndefaults: { steps: 90 }\nscheduler: { type: asha, min_steps: 10, metric: accuracy }\n", "scheduler.metric: unknown metric 'accuracy'")]
    [InlineData("name: x\ntask: noop\ndefaults: { steps: 90 }\nscheduler: { type: asha, min_steps: 10, mode: up }\n", "scheduler.mode: 'up' is neither max nor min")]
    [InlineData("name: x\ntask: noop\ndefaults: { steps: 90 }\nscheduler: { type: asha, min_steps: 10, brackets: 2 }\n", "'brackets' is not a scheduler (asha) key")]
    [InlineData("name: x\ntask: addition\nbudget: { steps: 3000, eval_every: 1000 }\nscheduler: { type: asha, min_steps: 500 }\n", "does not evaluate at step 500 (a rung: min_steps × 3^k); make min_steps a multiple of its eval_every")]
    [InlineData("name: x\ntask: noop\nstop: { runs_at_target: 2 }\n", "stop.runs_at_target needs a target")]
    [InlineData("name: x\ntask: noop\nstop: { validation_exact_match: 0.9, train_loss: 0.1 }\n", "stop: give one target metric")]
    [InlineData("name: x\ntask: noop\nstop: {}\n", "stop: set a target")]
    [InlineData("name: x\ntask: noop\nseeds: [1, 2]\nstop: { validation_exact_match: 0.9, runs_at_target: 3 }\n", "stop.runs_at_target: 3 is outside [1, 2]")]
    [InlineData("name: x\ntask: noop\nstop: { validation_exact_match: 99.9 }\n", "stop.validation_exact_match: 99.9 is not a fraction in [0, 1]")]
    [InlineData("- just\n- a list\n", "a sweep file is one YAML mapping")]
    public void Malformed_sweeps_name_the_file_line_and_field(string yaml, string expected)
    {
        Assert.Contains(expected, Fails(yaml).Message);
    }

    [Fact]
    public void The_shipped_quickstart_and_seed_sweeps_are_valid()
    {
        string root = TestEnvironment.RepositoryRoot;
        var quickstart = SweepFile.Load(Path.Combine(root, "sweeps", "quickstart.yaml"));
        Assert.Equal("quickstart", quickstart.SweepId);
        Assert.InRange(quickstart.Runs.Count, 4, 16);

        var seed = SweepFile.Load(Path.Combine(root, "sweeps", "seed.yaml"));
        Assert.Equal(SeedConfigurations.All.Count, seed.Runs.Count);
        foreach (var (run, config) in seed.Runs.Zip(SeedConfigurations.All))
        {
            var definition = Addition(run).Run;
            Assert.Equal(config.Name, run.Name);
            Assert.Equal(config.Model, definition.Model);
            Assert.Equal(config.LearningRate, definition.Recipe.PeakLearningRate);
            Assert.Equal(config.WarmupRatio, definition.Recipe.WarmupRatio);
            Assert.Equal((27000, 512, 1000, 42L), (definition.Recipe.Steps, definition.Recipe.BatchSize, definition.Recipe.EvalEvery, definition.Seed));
        }
    }

    [Fact]
    public void A_missing_file_is_named()
    {
        var e = Assert.Throws<SweepFileException>(() => SweepFile.Load("/nonexistent/sweep.yaml"));
        Assert.Equal("/nonexistent/sweep.yaml: no such sweep file", e.Message);
    }

    [Fact]
    public void A_ten_million_run_grid_is_refused_from_its_shape_before_anything_is_expanded()
    {
        string axis = "[" + string.Join(", ", Enumerable.Range(1, 10)) + "]";
        string yaml = $"name: huge\ntask: addition\ngrid:\n  d_model: {axis}\n  d_ff: {axis}\n  n_layers: {axis}\n  batch_size: {axis}\n  steps: {axis}\n  eval_every: {axis}\n  log_every: {axis}\n";
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<SweepFileException>(() => Parse(yaml));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal("s.yaml:1:1: the sweep expands to 10,000,000 runs (grid: 10 × 10 × 10 × 10 × 10 × 10 × 10 combinations × 1 seed(s)); a sweep may hold at most 100,000", e.Message);
        Assert.True(allocated < 100_000_000, $"refusing it allocated {allocated:N0} bytes");

        var random = Assert.Throws<SweepFileException>(() => Parse("name: x\ntask: noop\nseeds: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]\nrandom:\n  samples: 10000\n  space:\n    steps: { int_uniform: [1, 9] }\n"));
        Assert.Contains("the sweep expands to 110,000 runs (random: 10,000 samples × 11 seed(s))", random.Message);
    }

    [Fact]
    public void A_model_beyond_the_size_bound_is_refused_naming_its_parameters_and_memory()
    {
        var e = Assert.Throws<SweepFileException>(() => Parse("name: x\ntask: addition\nruns:\n  - { name: huge, d_model: 100000, d_ff: 100000 }\n"));
        Assert.StartsWith("s.yaml:4:5: configuration 'huge': its model has 60,00", e.Message);
        Assert.Contains(" parameters (about ", e.Message);
        Assert.Contains(" GiB to train), more than max_parameters 10,000,000", e.Message);

        // The bound is the sweep's to set.
        const string wide = "name: x\ntask: addition\nruns:\n  - { name: wide, d_model: 64, d_ff: 256 }\n";
        Assert.Single(Parse(wide).Runs);
        Assert.Contains("more than max_parameters 1,000", Assert.Throws<SweepFileException>(() => Parse(wide + "max_parameters: 1000\n")).Message);
    }

    static AdditionDefinition Addition(RunSpec run) => Assert.IsType<AdditionDefinition>(run.Definition);

    [Fact]
    public void Scheduler_and_stop_sections_become_typed_rules_that_join_the_hash()
    {
        const string Plain = "name: x\ntask: noop\nseeds: [1, 2]\ndefaults: { steps: 81 }\n";
        var asha = Parse(Plain + "scheduler: { type: asha, metric: train_loss, min_steps: 3 }\nstop: { validation_exact_match: 0.99, runs_at_target: 1, total_steps: 500 }\n");
        var scheduler = Assert.IsType<ActorSweep.Messages.Sweeps.AshaScheduler>(asha.Scheduler);
        Assert.Equal(new ActorSweep.Messages.Sweeps.MetricGoal("train_loss", Maximize: false), scheduler.Goal); // a loss goes down by default
        Assert.Equal((3L, 3, 81L, 1), (scheduler.MinSteps, scheduler.ReductionFactor, scheduler.MaxSteps, scheduler.Brackets));
        Assert.Equal([3L, 9L, 27L], scheduler.Rungs);
        Assert.Equal(new ActorSweep.Messages.Sweeps.StopSpec(new("validation_exact_match", true), 0.99, 1, 500), asha.Stop);

        var hyperband = Assert.IsType<ActorSweep.Messages.Sweeps.AshaScheduler>(Parse(Plain + "scheduler: { type: hyperband, min_steps: 3 }\n").Scheduler);
        Assert.Equal(3, hyperband.Brackets); // one per rung by default

        var byLoss = Assert.IsType<ActorSweep.Messages.Sweeps.AshaScheduler>(Parse(Plain + "scheduler: { type: asha, metric: validation_loss, min_steps: 3 }\n").Scheduler);
        Assert.False(byLoss.Goal.Maximize);
        var median = Assert.IsType<ActorSweep.Messages.Sweeps.MedianScheduler>(Parse(Plain + "scheduler: { type: median, grace_steps: 9 }\n").Scheduler);
        Assert.Equal((9L, 3, true), (median.GraceSteps, median.MinRuns, median.Goal.Maximize));

        var plain = Parse(Plain);
        Assert.Null(plain.Scheduler);
        Assert.NotEqual(plain.Hash, asha.Hash);
        Assert.NotEqual(asha.Hash, Parse(Plain + "scheduler: { type: asha, metric: train_loss, min_steps: 9 }\nstop: { validation_exact_match: 0.99, runs_at_target: 1, total_steps: 500 }\n").Hash);
        // The rules survive the journal's JSON.
        var json = JsonSerializer.Serialize(asha, ActorSweep.Messages.Serialization.SweepMessageSerializer.Json);
        var back = JsonSerializer.Deserialize<ActorSweep.Messages.Sweeps.SweepDefinition>(json, ActorSweep.Messages.Serialization.SweepMessageSerializer.Json)!;
        Assert.Equal(asha.Scheduler, back.Scheduler);
        Assert.Equal(asha.Stop, back.Stop);
    }
}
