using System.Text.Json;
using ActorSweep.Messages.Results;

namespace ActorSweep.Seed.Reports;

/// <summary>One run read back from a report folder's results.json: its row, and its report where it finished.</summary>
public sealed record ReportedRun(RunResult Result, RunReport? Report);

/// <summary>A sweep's results.json (written by <see cref="SweepReport"/>), read back: a sweep can be compared after its database is gone.</summary>
public sealed record SweepResults(string SweepId, string? Task, IReadOnlyList<ReportedRun> Runs)
{
    public const string FileName = "results.json";

    /// <summary>Reads a report folder or its results.json; a missing or malformed file throws <see cref="InvalidDataException"/> naming it.</summary>
    public static SweepResults Read(string path)
    {
        string file = Directory.Exists(path) ? Path.Combine(path, FileName) : path;
        if (!File.Exists(file))
            throw new InvalidDataException(Directory.Exists(path)
                ? $"{path} has no {FileName}: give a report folder (run --report, results --report) or its {FileName}"
                : $"{path}: no such file or folder");
        Document? document;
        try
        {
            using var stream = File.OpenRead(file);
            document = JsonSerializer.Deserialize<Document>(stream, ReportJson.Options);
        }
        catch (JsonException e)
        {
            string at = e.LineNumber is { } line ? $":{line + 1}:{(e.BytePositionInLine ?? 0) + 1}" : "";
            throw new InvalidDataException($"{file}{at}: not a sweep's {FileName}: {e.Message}");
        }
        if (document?.Sweep is not { Length: > 0 } sweep || document.Runs is null)
            throw new InvalidDataException($"{file}: not a sweep's {FileName} (it needs \"sweep\" and \"runs\")");
        int index = 0;
        foreach (var run in document.Runs)
        {
            index++;
            if (run?.Result?.RunId is not { Length: > 0 })
                throw new InvalidDataException($"{file}: run {index} of \"runs\" has no result.run_id");
        }
        return new SweepResults(sweep, document.Task, document.Runs.Select(r => new ReportedRun(r!.Result!, r.Report)).ToList());
    }

    sealed record Document(string? Sweep, string? Task, List<Entry?>? Runs);
    sealed record Entry(RunResult? Result, RunReport? Report);
}
