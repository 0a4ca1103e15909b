using System.Collections.Immutable;

namespace ActorSweep.Messages.Runs;

/// <summary>
/// One run of a sweep: which task it trains, its configuration name, its seed and its options
/// (model and training options by name, values as their canonical text; the worker's task parses them).
/// <see cref="RunId"/> is unique within its sweep.
/// </summary>
public sealed record RunSpec(string RunId, string Task, string Name, long Seed, ImmutableSortedDictionary<string, string> Options)
{
    public string? Option(string name) => Options.GetValueOrDefault(name);
}

/// <summary>Summary metrics a run reports with a checkpoint.</summary>
public sealed record RunSummary(double? Loss, double? ValidationExactMatch);

/// <summary>A stored checkpoint: the step it holds, where the checkpoint store keeps it, and its metrics.</summary>
public sealed record CheckpointInfo(long Step, string Reference, RunSummary Summary);
