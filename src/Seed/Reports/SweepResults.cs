using System.Text.Json;
using ActorSweep.Messages.Results;
using ActorSweep.Messages.Sweeps;

namespace ActorSweep.Seed.Reports;

/// <summary>One run of a report's results.json: its row, and its report where it finished.</summary>
public sealed record ReportedRun(RunResult Result, RunReport? Report);

/// <summary>
/// A report folder's results.json: written by <see cref="SweepReport"/> and read back by
/// <see cref="Read"/> (so a sweep can be compared after its database is gone), one type for both.
/// </summary>
/// <param name="Lineage">PBT's lineage: who copied whom at which step, and the options before and after.</param>
public sealed record SweepResults(string Sweep, string? Task, string? Hash, SweepSummary? Summary, IReadOnlyList<ReportedRun> Runs,
                                  IReadOnlyList<SweepReport.LineageRow>? Lineage = null)
{
    public const string FileName = "results.json";

    /// <summary>Reads a report folder or its results.json; a missing, unreadable or malformed file throws <see cref="InvalidDataException"/> naming it.</summary>
    public static SweepResults Read(string path)
    {
        string file = Directory.Exists(path) ? Path.Combine(path, FileName) : path;
        if (!File.Exists(file))
            throw new InvalidDataException(Directory.Exists(path)
                ? $"{path} has no {FileName}: give a report folder (run --report, results --report) or its {FileName}"
                : $"{path}: no such file or folder");
        SweepResults? document;
        try
        {
            using var stream = File.OpenRead(file);
            document = JsonSerializer.Deserialize<SweepResults>(stream, ReportJson.Options);
        }
        catch (JsonException e)
        {
            string at = e.LineNumber is { } line ? $":{line + 1}:{(e.BytePositionInLine ?? 0) + 1}" : "";
            throw new InvalidDataException($"{file}{at}: not a sweep's {FileName}: {e.Message}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"{file}: cannot be read: {e.Message}");
        }
        if (document is not { Sweep: { Length: > 0 }, Runs: not null })
            throw new InvalidDataException($"{file}: not a sweep's {FileName} (it needs \"sweep\" and \"runs\")");
        int index = 0;
        foreach (var run in document.Runs)
        {
            index++;
            if (run?.Result is not { RunId.Length: > 0, Name.Length: > 0 })
                throw new InvalidDataException($"{file}: run {index} of \"runs\" has no result with a run_id and a name");
            if (run.Report is { } report && (report.ValidationCurve is null || report.ValidationCurve.Any(p => p is null)))
                throw new InvalidDataException($"{file}: run '{run.Result.RunId}' has a report whose validation_curve is missing or holds a null point");
        }
        return document;
    }
}
