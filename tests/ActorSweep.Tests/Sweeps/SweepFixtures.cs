using System.Collections.Immutable;
using ActorSweep.Messages.Results;
using ActorSweep.Messages.Runs;
using ActorSweep.Messages.Sweeps;
using ActorSweep.Messages.Work;

using ActorSweep.Tasks.Noop;

namespace ActorSweep.Tests.Sweeps;

/// <summary>Small, fixed sweeps and reports for the pure state and decision tests.</summary>
static class SweepFixtures
{
    public static readonly DateTimeOffset T0 = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    /// <summary>A summary's counts alone: counts folded from a journal without its runs (what `status` reads) know no times.</summary>
    public static SweepSummary CountsOnly(this SweepSummary summary) => summary with { StartedAt = null, FinishedAt = null };

    public static RunSpec Run(string id) => new(id, new NoopDefinition(id, 1, 10, 0, 10), ImmutableSortedDictionary<string, string>.Empty.Add("steps", "10"));

    public static SweepDefinition Definition(int retries = 1, params string[] runs) =>
        new("s", "noop", retries, (runs.Length == 0 ? ["a", "b", "c"] : runs).Select(Run).ToImmutableList(), "test.yaml", "hash1");

    public static SweepState Submitted(int retries = 1) =>
        SweepState.Empty("s").Apply(new SweepSubmitted("s", Definition(retries), T0))
                             .Apply(new RunsQueued("s", ["a", "b", "c"]));

    public static RunReport Report(double exact = 0.5) => new("noop", 0, 10, 1, 0.1, exact, [], [], 0, exact, null, null, 1, [], []);

    public static CheckpointInfo Checkpoint(long step) => new(step, $"ref-{step}", new RunSummary(0.5, null));

    public static RunCheckpointReport CheckpointReport(string run, int attempt, string node, long step) => new("s", run, attempt, node, 1, Checkpoint(step));
    public static RunCompletedReport Completed(string run, int attempt, string node) => new("s", run, attempt, node, 2, Report(), Checkpoint(10));
    public static RunFailedReport Failed(string run, int attempt, string node) => new("s", run, attempt, node, 3, "boom");
    public static RunReleasedReport Released(string run, int attempt, string node, long? step) =>
        new("s", run, attempt, node, 4, step is null ? null : Checkpoint(step.Value));
}
