using ActorSweep.GpuNode.Training;
using ActorSweep.Seed.Hosting;
using ActorSweep.Seed.Persistence;
using ActorSweep.Seed.Reports;
using ActorSweep.Seed.Sweeps;
using ActorSweep.Tests.Sweeps;

namespace ActorSweep.Tests.Messages;

/// <summary>
/// A database written by release 0.1 (Fixtures/release-0.1, made by commit bc44875 with the
/// YAML files beside it): runs journaled as option text (manifest v1), a v1 snapshot, and a sweep
/// stopped with Ctrl-C part-way. Today's code must read, report, recover and resume all of it.
/// </summary>
public sealed class LegacyJournalTests : IAsyncDisposable
{
    static readonly string Fixture = Path.Combine(TestEnvironment.RepositoryRoot, "tests", "ActorSweep.Tests", "Fixtures", "release-0.1");
    static readonly string[] Sweeps = ["legacy-addition", "legacy-noop", "legacy-interrupted"];
    readonly SweepHarness _harness = new();

    public LegacyJournalTests() => File.Copy(Path.Combine(Fixture, "legacy.db"), _harness.DatabasePath);

    [Fact]
    public async Task The_journal_replays_to_the_results_release_0_1_reported()
    {
        await using var reader = await JournalReader.OpenAsync(JournalDatabase.ExistingSqlite(_harness.DatabasePath));
        Assert.Equal(Sweeps, await reader.SweepIdsAsync());
        foreach (var sweep in new[] { "legacy-addition", "legacy-noop" })
        {
            var state = (await reader.StateAsync(sweep))!;
            Assert.True(state.Finished);
            string folder = Path.Combine(_harness.Directory, "report-" + sweep);
            SweepReport.Write(state, folder);
            // Byte for byte the results.csv release 0.1 wrote: parameter counts, accuracies, losses, bases and options.
            Assert.Equal(File.ReadAllText(Path.Combine(Fixture, sweep + ".results.csv")), File.ReadAllText(Path.Combine(folder, "results.csv")));
        }
    }

    [Fact]
    public async Task The_sweep_files_of_release_0_1_keep_their_hash()
    {
        await using var reader = await JournalReader.OpenAsync(JournalDatabase.ExistingSqlite(_harness.DatabasePath));
        foreach (var sweep in Sweeps)
        {
            var journaled = (await reader.StateAsync(sweep))!.Definition!;
            var today = SweepFile.Load(Path.Combine(Fixture, sweep + ".yaml"));
            Assert.Equal(journaled.Hash, today.Hash);
            Assert.Equal(journaled.Runs.Select(r => r.RunId), today.Runs.Select(r => r.RunId));
            // The upcast definitions are exactly what reading the file today gives.
            Assert.Equal(today.Runs.Select(r => r.Definition), journaled.Runs.Select(r => r.Definition), new DefinitionComparer());
        }
    }

    [Fact]
    public async Task The_supervisor_recovers_from_a_v1_snapshot_and_resumes_a_v1_run_bit_for_bit()
    {
        var (_, client) = await _harness.StartAsync(slots: 2);
        // legacy-noop recovers from its v1 snapshot (at event 211) plus the events after it.
        var noop = (await client.StateAsync("legacy-noop"))!;
        Assert.True(noop.Finished);
        Assert.Equal(60, noop.Summary().Completed);

        // legacy-interrupted: submitting the same file resumes it; small@s3 continues from the checkpoint release 0.1 wrote.
        var before = (await client.StateAsync("legacy-interrupted"))!.Runs["small@s3"];
        byte[] legacyCheckpoint = _harness.Database.CheckpointStore().Load(before.Checkpoint!.Reference);
        var state = await SweepHarness.RunAsync(client, SweepFile.Load(Path.Combine(Fixture, "legacy-interrupted.yaml")), TimeSpan.FromMinutes(3));
        Assert.Equal(3, state.Summary().Completed);
        var small = state.Runs["small@s3"];
        Assert.Equal(2, small.Attempt);
        // Bit for bit what this build makes of that checkpoint trained on directly. (Not what it makes of the
        // whole run: since the trainer computes the last layer at the scored positions only, its float
        // rounding, and so its runs, differ from release 0.1's in the last bits.)
        using var session = ActorSweep.GpuNode.Runs.RunSessions.Start(small.Spec.Definition, legacyCheckpoint);
        Assert.Equal(before.Checkpoint.Step, session.Step);
        while (!session.Finished) session.TrainStep();
        var report = session.Finish();
        Assert.Equal(ReliabilityTests.Comparable(report), ReliabilityTests.Comparable(small.Report!));
        Assert.Equal(TrainingCheckpoint.FromBytes(session.Checkpoint()).Parameters, ReliabilityTests.FinalWeights(_harness.Database.CheckpointStore(), small));
    }

    sealed class DefinitionComparer : IEqualityComparer<ActorSweep.Tasks.RunDefinition>
    {
        public bool Equals(ActorSweep.Tasks.RunDefinition? a, ActorSweep.Tasks.RunDefinition? b) =>
            System.Text.Json.JsonSerializer.Serialize(a, ActorSweep.Tasks.TaskJson.Options) == System.Text.Json.JsonSerializer.Serialize(b, ActorSweep.Tasks.TaskJson.Options);
        public int GetHashCode(ActorSweep.Tasks.RunDefinition d) => d.RunName.GetHashCode();
    }

    public ValueTask DisposeAsync() => _harness.DisposeAsync();
}
