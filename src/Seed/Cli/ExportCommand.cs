using System.CommandLine;
using ActorSweep.Hosting.Storage;
using Spectre.Console;

namespace ActorSweep.Seed.Cli;

/// <summary>
/// `actorsweep export SWEEP RUN --out FILE`: a run's latest accepted checkpoint (a completed run's
/// final model) as a file, for `eval`, `predict` and `train --resume`. Sweeps keep checkpoints in
/// their database (or a --checkpoints directory), where those commands cannot reach them.
/// </summary>
public static class ExportCommand
{
    public static Command Create()
    {
        var sweep = new Argument<string>("sweep") { Description = "The sweep's name." };
        var run = new Argument<string>("run") { Description = "The run's id, as status and results show it (e.g. default@s1)." };
        var output = new Option<string>("--out") { Description = "The file to write.", Required = true };
        var checkpoints = new Option<string?>("--checkpoints") { Description = "The checkpoint directory the sweep ran with, where it ran with --checkpoints." };
        var db = CliOptions.Database();
        var postgres = CliOptions.Postgres();
        var command = new Command("export", "Write a run's latest checkpoint (a completed run's final model) to a file, for eval, predict and train --resume.")
            { sweep, run, output, checkpoints, db };
        foreach (var option in postgres.All) command.Add(option);
        command.SetAction((parse, cancel) => InspectCommands.WithJournal(parse, db, postgres, async (database, journal, console) =>
        {
            var error = parse.InvocationConfiguration.Error;
            string id = parse.GetValue(sweep)!, runId = parse.GetValue(run)!, path = parse.GetValue(output)!;
            var state = (await journal.RecoverAsync(id, cancel: cancel)).State;
            if (state is null) return Terminal.UsageError(error, await InspectCommands.UnknownSweep(journal, id));
            if (!state.Runs.TryGetValue(runId, out var found))
                return Terminal.UsageError(error, $"sweep '{id}' has no run '{runId}'; its runs: {string.Join(", ", state.OrderedRuns.Take(5).Select(r => r.Spec.RunId))}{(state.Runs.Count > 5 ? ", …" : "")}");
            string status = found.Status.ToString().ToLowerInvariant();
            if (found.Checkpoint is not { } checkpoint)
                return Terminal.UsageError(error, $"run '{runId}' has no checkpoint yet (it is {status})");

            ICheckpointStore store;
            if (!checkpoint.Reference.StartsWith(DirectoryCheckpointStore.Prefix)) store = database.CheckpointStore();
            else if (parse.GetValue(checkpoints) is { } directory) store = new DirectoryCheckpointStore(directory);
            else return Terminal.UsageError(error, $"run '{runId}' keeps its checkpoints as files ({checkpoint.Reference}): give the directory the sweep ran with, --checkpoints DIR");

            byte[] bytes;
            try { bytes = store.Load(checkpoint.Reference); }
            catch (FileNotFoundException e) { error.WriteLine($"error: {e.Message}"); return ExitCodes.Failed; }
            try { AtomicFile.Write(path, bytes); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { error.WriteLine($"error: cannot write {path}: {e.Message}"); return ExitCodes.Failed; }
            console.MarkupLine($"{Markup.Escape(runId)}: checkpoint at step {checkpoint.Step:N0} ({status}) written to {Markup.Escape(Path.GetFullPath(path))} ({bytes.Length:N0} bytes)");
            return ExitCodes.Ok;
        }));
        return command;
    }
}
