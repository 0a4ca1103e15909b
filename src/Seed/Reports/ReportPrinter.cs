using ActorSweep.Messages.Results;
using Spectre.Console;

namespace ActorSweep.Seed.Reports;

/// <summary>Prints a run's evaluation for people: the headline figures, per-digit accuracy and failures.</summary>
public static class ReportPrinter
{
    public static void Print(IAnsiConsole console, RunReport report, int failuresShown = 10)
    {
        var summary = new Table().Border(TableBorder.Rounded).HideHeaders().AddColumn("").AddColumn("");
        summary.AddRow("model", Markup.Escape(report.Model));
        summary.AddRow("parameters", report.Params.ToString("N0"));
        summary.AddRow("steps", report.Steps.ToString("N0"));
        summary.AddRow("final train loss", report.FinalLoss.ToString("G4"));
        summary.AddRow("validation exact match", report.ValidationExactMatch.ToString("P2"));
        summary.AddRow($"[bold]test exact match[/] ({report.TestPairs:N0} held-out pairs)", $"[bold]{report.ExactMatch:P2}[/]");
        summary.AddRow("train time", TimeSpan.FromSeconds(report.TrainSeconds).ToString(@"hh\:mm\:ss"));
        console.Write(summary);
        PrintDigits(console, report.PerDigitAccuracy);
        PrintFailures(console, report.Failures, failuresShown);
    }

    public static void PrintDigits(IAnsiConsole console, double[] perDigit)
    {
        var digits = new Table().Border(TableBorder.Simple).Title("accuracy per sum digit (ones first)");
        for (int i = 0; i < perDigit.Length; i++) digits.AddColumn(new TableColumn($"10^{i}").RightAligned());
        digits.AddRow(perDigit.Select(a => a.ToString("P2")).ToArray());
        console.Write(digits);
    }

    public static void PrintFailures(IAnsiConsole console, IReadOnlyList<FailureReport> failures, int shown)
    {
        if (failures.Count == 0)
        {
            console.MarkupLine("No failures.");
            return;
        }
        var table = new Table().Border(TableBorder.Simple).Title($"failures (first {Math.Min(shown, failures.Count)})")
            .AddColumn(new TableColumn("A").RightAligned()).AddColumn(new TableColumn("B").RightAligned())
            .AddColumn(new TableColumn("A + B").RightAligned()).AddColumn(new TableColumn("predicted").RightAligned())
            .AddColumn("decoded tokens");
        foreach (var f in failures.Take(shown))
            table.AddRow(f.A.ToString(), f.B.ToString(), f.Expected.ToString(), f.Predicted?.ToString() ?? "?", Markup.Escape(f.Decoded));
        console.Write(table);
    }
}
