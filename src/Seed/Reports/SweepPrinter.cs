using ActorSweep.Messages.Sweeps;
using ActorSweep.Messages.Work;
using Spectre.Console;

namespace ActorSweep.Seed.Reports;

/// <summary>Sweep tables for the terminal.</summary>
public static class SweepPrinter
{
    public static void Summaries(IAnsiConsole console, IEnumerable<SweepSummary> sweeps)
    {
        var table = new Table().Border(TableBorder.Simple)
            .AddColumn(new TableColumn("sweep").NoWrap()).AddColumn("task").AddColumn(new TableColumn("runs").RightAligned())
            .AddColumn(new TableColumn("completed").RightAligned()).AddColumn(new TableColumn("failed").RightAligned())
            .AddColumn(new TableColumn("running").RightAligned()).AddColumn(new TableColumn("queued").RightAligned())
            .AddColumn(new TableColumn("paused").RightAligned()).AddColumn(new TableColumn("pruned").RightAligned()).AddColumn("state");
        foreach (var s in sweeps)
            table.AddRow(Markup.Escape(s.SweepId), s.Task, s.Runs.ToString(), s.Completed.ToString(), s.Failed.ToString(), s.Running.ToString(),
                s.Queued.ToString(), s.Paused.ToString(), s.Pruned.ToString(), s.Cancelled ? "cancelled" : s.Finished ? "finished" : "in progress");
        console.Write(table);
    }

    /// <summary>Every run with its status, attempt, node and progress; with live progress (from the API), each running run's current step.</summary>
    public static void Status(IAnsiConsole console, SweepState state, IReadOnlyList<RunProgress>? live = null)
    {
        var liveByRun = (live ?? []).ToDictionary(p => p.RunId);
        var s = state.Summary();
        console.MarkupLine($"[bold]{Markup.Escape(state.SweepId)}[/] ({state.Definition?.Task}): {s.Completed} completed, {s.Failed} failed, {s.Running} running, {s.Queued} queued" +
                           (s.Paused + s.Pruned > 0 || state.Definition?.Scheduler is not null ? $", {s.Paused} paused, {s.Pruned} pruned" : "") + $" of {s.Runs}" +
                           (state.ReachedTarget > 0 ? $"; {state.ReachedTarget} stopped at the target" : "") +
                           (s.Cancelled ? " [yellow](cancelled)[/]" : s.Finished ? " [green](finished)[/]" : ""));
        if (state.Definition?.Search is { } search)
            console.MarkupLine(Markup.Escape($"search: tpe over {string.Join(", ", search.Space.Select(d => d.Name))}, {search.Goal.Describe}" +
                                             $"{(search.Multivariate ? ", multivariate" : "")}; {state.Suggestions.Count} of {search.Trials} trials chosen by TPE " +
                                             $"(the first {Math.Min(search.Startup, search.Trials)} are random draws; `replay` says why each was chosen)"));
        Ladder(console, state);
        Lineage(console, state);
        var table = new Table().Border(TableBorder.Simple)
            .AddColumn(new TableColumn("run").NoWrap()).AddColumn("status").AddColumn(new TableColumn("attempt").RightAligned())
            .AddColumn(new TableColumn("checkpoint step").RightAligned()).AddColumn(new TableColumn("val exact").RightAligned())
            .AddColumn(new TableColumn("test exact").RightAligned()).AddColumn("node / last error");
        if (live is not null) table.AddColumn(new TableColumn("live step").RightAligned());
        foreach (var run in state.OrderedRuns)
        {
            var cells = new List<string>
            {
                Markup.Escape(run.Spec.RunId), Color(run.Status), run.Attempt.ToString(),
                run.Report?.Steps.ToString("N0") ?? run.Checkpoint?.Step.ToString("N0") ?? "-",
                Pct(run.Report?.ValidationExactMatch ?? run.Checkpoint?.Summary.ValidationExactMatch), Pct(run.Report?.ExactMatch),
                Markup.Escape(run.Status == RunStatus.Running ? run.NodeId ?? "" : run.LastError ?? "") +
                    (run.Rungs is { Count: > 0 } rungs ? $" [grey](rung {run.Rung}: {rungs[^1].Value?.ToString("G4", System.Globalization.CultureInfo.InvariantCulture) ?? "no result"}{(run.AtTarget ? ", at target" : "")})[/]"
                        : run.AtTarget ? " [grey](at target)[/]" : ""),
            };
            if (live is not null)
                cells.Add(liveByRun.TryGetValue(run.Spec.RunId, out var p) ? $"{p.Step:N0} / {p.TotalSteps:N0}" : "");
            table.AddRow(cells.ToArray());
        }
        console.Write(table);
    }

    /// <summary>The results table, best first.</summary>
    /// <summary>Rows a results table shows unless asked for more: a terminal is no place for 100,000 of them.</summary>
    public const int DefaultTop = 50;

    /// <summary>The results table, best first: the top <paramref name="top"/> rows (0: all of them), then a line saying what was left out.</summary>
    public static void Results(IAnsiConsole console, SweepState state, int top = DefaultTop)
    {
        var table = new Table().Border(TableBorder.Rounded).Title($"results of {Markup.Escape(state.SweepId)}")
            .AddColumn(new TableColumn("run").NoWrap()).AddColumn("status").AddColumn(new TableColumn("params").RightAligned())
            .AddColumn(new TableColumn("steps").RightAligned()).AddColumn(new TableColumn("test exact match").RightAligned())
            .AddColumn(new TableColumn("val").RightAligned()).AddColumn(new TableColumn("final loss").RightAligned())
            .AddColumn(new TableColumn("attempts").RightAligned()).AddColumn(new TableColumn("seed's report").RightAligned());
        var results = SweepReport.Results(state);
        var shown = results.OrderByDescending(r => r.ExactMatch ?? -1).ThenBy(r => r.Params).Take(top > 0 ? top : int.MaxValue).ToList();
        foreach (var r in shown)
            table.AddRow(Markup.Escape(r.RunId), r.Status, r.Params?.ToString("N0") ?? "-", r.Steps?.ToString("N0") ?? "-",
                Pct(r.ExactMatch), Pct(r.ValidationExactMatch), r.FinalLoss?.ToString("G4") ?? "-", r.Attempts.ToString(),
                Markup.Escape(r.SeedReportedAccuracy ?? ""));
        console.Write(table);
        Lineage(console, state);
        if (shown.Count < results.Count)
        {
            int failed = results.Count(r => r.Status == "failed");
            console.MarkupLine($"The best {shown.Count:N0} of {results.Count:N0} runs{(failed > 0 ? $" ({failed:N0} failed)" : "")}; every row: --top 0, --json, or the report's results.csv.");
        }
    }

    /// <summary>PBT's lineage, latest last: who copied whom at which step, options before and after (the last 20; the report's results.json has all).</summary>
    public static void Lineage(IAnsiConsole console, SweepState state, int last = 20)
    {
        if (state.Definition?.Scheduler is not PbtScheduler pbt) return;
        var rows = SweepReport.Lineage(state);
        var table = new Table().Border(TableBorder.Simple)
            .Title($"lineage (pbt every {pbt.Interval:N0} steps, {Markup.Escape(pbt.Goal.Describe)}; {rows.Count} exploit(s){(rows.Count > last ? $", the last {last}" : "")})")
            .AddColumn(new TableColumn("run").NoWrap()).AddColumn(new TableColumn("copied").NoWrap()).AddColumn(new TableColumn("at step").RightAligned())
            .AddColumn("options before").AddColumn("after");
        foreach (var r in rows.TakeLast(last))
            table.AddRow(Markup.Escape(r.RunId), Markup.Escape(r.DonorId), r.Step.ToString("N0"),
                Markup.Escape(string.Join(", ", r.Before.Select(o => $"{o.Key}={o.Value}"))), Markup.Escape(string.Join(", ", r.After.Select(o => $"{o.Key}={o.Value}"))));
        console.Write(table);
    }

    /// <summary>A scheduler's rung ladder: steps per rung, runs that reached it, went on, wait there or were pruned, and the cut-off to go on now.</summary>
    public static void Ladder(IAnsiConsole console, SweepState state)
    {
        var ladder = Supervisor.SchedulerDecisions.Ladder(state);
        if (ladder.Count == 0) return;
        var scheduler = (AshaScheduler)state.Definition!.Scheduler!;
        bool brackets = scheduler.Brackets > 1;
        var table = new Table().Border(TableBorder.Simple)
            .Title($"rungs ({(brackets ? $"hyperband, {scheduler.Brackets} brackets" : "asha")}, η = {scheduler.ReductionFactor}, {Markup.Escape(scheduler.Goal.Describe)}; max steps {scheduler.MaxSteps:N0})");
        if (brackets) table.AddColumn(new TableColumn("bracket").RightAligned());
        table.AddColumn(new TableColumn("rung").RightAligned()).AddColumn(new TableColumn("step").RightAligned()).AddColumn(new TableColumn("reached").RightAligned())
            .AddColumn(new TableColumn("promoted").RightAligned()).AddColumn(new TableColumn("paused").RightAligned()).AddColumn(new TableColumn("pruned").RightAligned())
            .AddColumn(new TableColumn("quota").RightAligned()).AddColumn(new TableColumn("cut-off").RightAligned());
        foreach (var r in ladder)
        {
            var cells = new List<string> { r.Rung.ToString(), r.Step.ToString("N0"), r.Reached.ToString(), r.Promoted.ToString(), r.Paused.ToString(), r.Pruned.ToString(),
                r.Quota.ToString(), r.Cutoff?.ToString("G4", System.Globalization.CultureInfo.InvariantCulture) ?? "-" };
            if (brackets) cells.Insert(0, r.Bracket.ToString());
            table.AddRow(cells.ToArray());
        }
        console.Write(table);
    }

    static string Pct(double? v) => v is null ? "-" : v.Value.ToString("P2");

    static string Color(RunStatus status) => status switch
    {
        RunStatus.Completed => "[green]completed[/]",
        RunStatus.Failed => "[red]failed[/]",
        RunStatus.Running => "[blue]running[/]",
        RunStatus.Cancelled => "[yellow]cancelled[/]",
        RunStatus.Paused => "[purple]paused[/]",
        RunStatus.Pruned => "[grey]pruned[/]",
        _ => "queued",
    };
}
