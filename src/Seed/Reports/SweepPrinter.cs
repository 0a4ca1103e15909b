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
            .AddColumn(new TableColumn("running").RightAligned()).AddColumn(new TableColumn("queued").RightAligned()).AddColumn("state");
        foreach (var s in sweeps)
            table.AddRow(Markup.Escape(s.SweepId), s.Task, s.Runs.ToString(), s.Completed.ToString(), s.Failed.ToString(), s.Running.ToString(),
                s.Queued.ToString(), s.Cancelled ? "cancelled" : s.Finished ? "finished" : "in progress");
        console.Write(table);
    }

    /// <summary>Every run with its status, attempt, node and progress; with live progress (from the API), each running run's current step.</summary>
    public static void Status(IAnsiConsole console, SweepState state, IReadOnlyList<RunProgress>? live = null)
    {
        var liveByRun = (live ?? []).ToDictionary(p => p.RunId);
        var s = state.Summary();
        console.MarkupLine($"[bold]{Markup.Escape(state.SweepId)}[/] ({state.Definition?.Task}): {s.Completed} completed, {s.Failed} failed, {s.Running} running, {s.Queued} queued of {s.Runs}" +
                           (s.Cancelled ? " [yellow](cancelled)[/]" : s.Finished ? " [green](finished)[/]" : ""));
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
                Markup.Escape(run.Status == RunStatus.Running ? run.NodeId ?? "" : run.LastError ?? ""),
            };
            if (live is not null)
                cells.Add(liveByRun.TryGetValue(run.Spec.RunId, out var p) ? $"{p.Step:N0} / {p.TotalSteps:N0}" : "");
            table.AddRow(cells.ToArray());
        }
        console.Write(table);
    }

    /// <summary>The results table, best first.</summary>
    public static void Results(IAnsiConsole console, SweepState state)
    {
        var table = new Table().Border(TableBorder.Rounded).Title($"results of {Markup.Escape(state.SweepId)}")
            .AddColumn(new TableColumn("run").NoWrap()).AddColumn("status").AddColumn(new TableColumn("params").RightAligned())
            .AddColumn(new TableColumn("steps").RightAligned()).AddColumn(new TableColumn("test exact match").RightAligned())
            .AddColumn(new TableColumn("val").RightAligned()).AddColumn(new TableColumn("final loss").RightAligned())
            .AddColumn(new TableColumn("attempts").RightAligned()).AddColumn(new TableColumn("seed's report").RightAligned());
        foreach (var r in SweepReport.Results(state).OrderByDescending(r => r.ExactMatch ?? -1).ThenBy(r => r.Params))
            table.AddRow(Markup.Escape(r.RunId), r.Status, r.Params?.ToString("N0") ?? "-", r.Steps?.ToString("N0") ?? "-",
                Pct(r.ExactMatch), Pct(r.ValidationExactMatch), r.FinalLoss?.ToString("G4") ?? "-", r.Attempts.ToString(),
                Markup.Escape(r.SeedReportedAccuracy ?? ""));
        console.Write(table);
    }

    static string Pct(double? v) => v is null ? "-" : v.Value.ToString("P2");

    static string Color(RunStatus status) => status switch
    {
        RunStatus.Completed => "[green]completed[/]",
        RunStatus.Failed => "[red]failed[/]",
        RunStatus.Running => "[blue]running[/]",
        RunStatus.Cancelled => "[yellow]cancelled[/]",
        _ => "queued",
    };
}
