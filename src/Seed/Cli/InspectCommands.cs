using ActorSweep.Hosting.Clustering;
using System.CommandLine;
using System.Text.Json;
using ActorSweep.Messages.Results;
using ActorSweep.Messages.Sweeps;
using ActorSweep.Seed.Hosting;
using ActorSweep.Seed.Persistence;
using ActorSweep.Seed.Reports;
using Spectre.Console;

namespace ActorSweep.Seed.Cli;

/// <summary>
/// `actorsweep status [SWEEP]`, `actorsweep results SWEEP` and `actorsweep replay SWEEP [--until N]`:
/// read the journal directly (it may belong to a sweep that is running right now).
/// </summary>
public static class InspectCommands
{
    public static Command Status()
    {
        var sweep = new Argument<string?>("sweep") { Description = "A sweep's name; all sweeps when left out.", Arity = ArgumentArity.ZeroOrOne };
        var source = new SweepSourceOptions();
        var command = new Command("status", "Show every sweep's progress, or one sweep's runs (live steps with --api).") { sweep };
        source.AddTo(command);
        command.SetAction((parse, cancel) => source.RunAsync(parse, async (sweeps, console) =>
        {
            string? id = parse.GetValue(sweep);
            if (id is null)
            {
                var summaries = await sweeps.SummariesAsync(cancel);
                if (summaries.Count == 0) console.MarkupLine("No sweeps yet. Start one: actorsweep run sweeps/quickstart.yaml");
                else SweepPrinter.Summaries(console, summaries);
                return ExitCodes.Ok;
            }
            var reply = await sweeps.StateAsync(id, cancel);
            if (reply.State is null) return Terminal.UsageError(parse.InvocationConfiguration.Error, await sweeps.UnknownAsync(id, cancel));
            SweepPrinter.Status(console, reply.State, reply.Live);
            return ExitCodes.Ok;
        }));
        return command;
    }

    public static Command Results()
    {
        var sweep = new Argument<string>("sweep") { Description = "The sweep's name." };
        var source = new SweepSourceOptions();
        var report = new Option<string?>("--report") { Description = "Also write the report folder here." };
        var json = new Option<bool>("--json") { Description = "Print the results as JSON (every run)." };
        var top = CliOptions.Top();
        var command = new Command("results", "Show a sweep's results (and optionally write its report folder).") { sweep, report, json, top };
        source.AddTo(command);
        command.SetAction((parse, cancel) => source.RunAsync(parse, async (sweeps, console) =>
        {
            string id = parse.GetValue(sweep)!;
            var state = (await sweeps.StateAsync(id, cancel)).State;
            if (state is null) return Terminal.UsageError(parse.InvocationConfiguration.Error, await sweeps.UnknownAsync(id, cancel));
            if (parse.GetValue(json))
                Terminal.WriteJson(parse.InvocationConfiguration.Output, SweepReport.Results(state), ReportJson.Options);
            else SweepPrinter.Results(console, state, parse.GetValue(top));
            if (parse.GetValue(report) is { } folder)
            {
                SweepReport.Write(state, folder);
                console.MarkupLine($"Report: {Markup.Escape(Path.GetFullPath(folder))}");
            }
            return ExitCodes.Ok;
        }));
        return command;
    }

    public static Command Replay()
    {
        var sweep = new Argument<string>("sweep") { Description = "The sweep's name." };
        var until = new Option<long?>("--until") { Description = "Show the state as it was right after event N (1-based)." };
        var db = CliOptions.Database();
        var postgres = CliOptions.Postgres();
        var command = new Command("replay", "Rebuild a sweep's state from its journal: the whole history, or the state after event N.") { sweep, until, db };
        foreach (var option in postgres.All) command.Add(option);
        command.SetAction((parse, cancel) => WithJournal(parse, db, postgres, async (journal, console) =>
        {
            string id = parse.GetValue(sweep)!;
            var error = parse.InvocationConfiguration.Error;
            if (parse.GetValue(until) is { } n)
            {
                // From the nearest snapshot at or before N, not from the first event.
                long total = (await journal.RecoverAsync(id, cancel: cancel)).LastEvent;
                if (total == 0) return Terminal.UsageError(error, await UnknownSweep(journal, id));
                if (n < 1 || n > total) return Terminal.UsageError(error, $"--until must lie in [1, {total}]: sweep '{id}' has {total} events");
                var (state, _) = await journal.RecoverAsync(id, n, cancel);
                JournalEntry? last = null;
                await journal.ForEachEventAsync(id, n, e => last ??= e, to: n, cancel);
                console.MarkupLine($"State of [bold]{Markup.Escape(id)}[/] after event {n} of {total} ({Markup.Escape(last is null ? "?" : Describe(last.Event))}):");
                SweepPrinter.Status(console, state!);
                return ExitCodes.Ok;
            }
            // The whole history streams: one line per event as it is read, and only the counts are
            // folded, so memory stays bounded however long the journal (`status SWEEP` shows the runs).
            var folded = SweepCounts.Empty(id);
            var output = parse.InvocationConfiguration.Output;
            var lines = new System.Text.StringBuilder();
            await journal.ForEachEventAsync(id, 0, e =>
            {
                if (folded.EventCount == 0) lines.AppendLine($"{"#",9}  {"written",-23}  event");
                lines.Append(System.Globalization.CultureInfo.InvariantCulture, $"{e.SequenceNr,9}  {e.Written:yyyy-MM-dd HH:mm:ss.fff}  ").AppendLine(Describe(e.Event));
                folded = folded.Apply(e.Event);
                if (lines.Length > 1 << 16) Flush(); // written in blocks: one write per line would cost more than reading the journal
            }, cancel: cancel);
            Flush();
            if (folded.EventCount == 0) return Terminal.UsageError(error, await UnknownSweep(journal, id));
            var s = folded.Summary();
            output.WriteLine($"{id} ({s.Task}) after {folded.EventCount} events: {s.Completed} completed, {s.Failed} failed, {s.Running} running, {s.Queued} queued of {s.Runs}" +
                             (s.Cancelled ? ", cancelled" : "") + (s.Finished ? " (finished)" : ""));
            return ExitCodes.Ok;

            void Flush()
            {
                output.Write(lines.ToString());
                output.Flush();
                lines.Clear();
            }
        }));
        return command;
    }

    /// <summary>One line per event, for histories.</summary>
    public static string Describe(Messages.ISweepEvent e) => e switch
    {
        SweepSubmitted s => $"submitted: {s.Definition.Runs.Count} runs of {s.Definition.Task}, retries {s.Definition.RetryLimit}, hash {s.Definition.Hash}",
        RunsQueued q => $"queued {q.RunIds.Count} runs",
        RunAssigned a => $"{a.RunId} attempt {a.Attempt} assigned to {a.NodeId}" + (a.ResumeFrom is { } c ? $", resuming at step {c.Step}" : ""),
        RunCheckpointed c => $"{c.RunId} attempt {c.Attempt} checkpointed at step {c.Checkpoint.Step}" +
                             (c.Checkpoint.Summary.ValidationExactMatch is { } v ? $" (val {v:P1})" : "") + $" -> {c.Checkpoint.Reference}",
        RunCompleted c => $"{c.RunId} attempt {c.Attempt} completed: test exact match {c.Report.ExactMatch:P2} after {c.Report.Steps} steps" + (c.AtTarget ? " (stopped at the target)" : ""),
        RunPaused p => $"{p.RunId} attempt {p.Attempt} paused at rung {p.Rung} (step {p.Checkpoint.Step}): {(p.Value is { } v ? v.ToString("G4", System.Globalization.CultureInfo.InvariantCulture) : "no result")}",
        RunPromoted p => $"{p.RunId} promoted from rung {p.FromRung}: {p.Reason}",
        RunPruned p => $"{p.RunId} pruned: {p.Reason}",
        RunExploited x => $"{x.RunId} exploited {x.DonorId} at step {x.Donor.Step}: {Options(x.Before, x.Before.Keys)} -> {Options(x.After, x.After.Keys)} (from {x.Checkpoint.Reference})",
        RunSuggested s => $"{s.RunId} chosen by TPE (trial {s.Why.Trial}): {Options(s.Spec.Options, s.Why.Drawn.Keys)} " +
                          $"from {s.Why.Observed} results, the best {s.Why.Good} as good ({string.Join(", ", s.Why.Best)}){(s.Why.InFlight > 0 ? $", {s.Why.InFlight} in flight as liars" : "")}, " +
                          $"log l/g {s.Why.LogRatio.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)}; replaces the random draw {Options(s.Why.Drawn, s.Why.Drawn.Keys)}",
        RunFailed f => $"{f.RunId} attempt {f.Attempt} failed{(f.Final ? " for good" : "")}: {f.Error}",
        RunRequeued r => $"{r.RunId} requeued after attempt {r.Attempt}: {r.Reason}",
        SweepCancelled c => $"cancelled: {c.Reason}",
        _ => e.GetType().Name,
    };

    static string Options(IReadOnlyDictionary<string, string> options, IEnumerable<string> keys) =>
        string.Join(", ", keys.Select(k => $"{k}={options.GetValueOrDefault(k)}"));

    internal static async Task<string> UnknownSweep(JournalReader journal, string id)
    {
        var known = await journal.SweepIdsAsync();
        return $"no sweep named '{id}'" + (known.Count > 0 ? $"; known sweeps: {string.Join(", ", known)}" : "; none has been run with this database");
    }

    internal static Task<int> WithJournal(ParseResult parse, Option<string?> db, SecretOption postgres, Func<JournalReader, IAnsiConsole, Task<int>> action) =>
        WithJournal(parse, db, postgres, (_, journal, console) => action(journal, console));

    /// <summary>Opens the journal the options name (a usage error where there is none) and runs <paramref name="action"/> on it and its database.</summary>
    internal static async Task<int> WithJournal(ParseResult parse, Option<string?> db, SecretOption postgres, Func<JournalDatabase, JournalReader, IAnsiConsole, Task<int>> action)
    {
        JournalDatabase database;
        try { database = CliOptions.ExistingDatabase(parse, db, postgres); }
        catch (Exception e) when (e is FileNotFoundException or ArgumentException) { return Terminal.UsageError(parse.InvocationConfiguration.Error, e.Message); }
        await using var journal = await JournalReader.OpenAsync(database);
        return await action(database, journal, Terminal.For(parse.InvocationConfiguration.Output));
    }
}
