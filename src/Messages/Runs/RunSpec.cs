using System.Collections.Immutable;
using ActorSweep.Tasks;

namespace ActorSweep.Messages.Runs;

/// <summary>
/// One run of a sweep: its id (unique within the sweep) and its typed <see cref="Definition"/>,
/// which is what the journal keeps, the worker trains and the reports read.
/// <see cref="Options"/> are the options as the sweep file set them (canonical JSON text by
/// name): kept for the sweep's content hash and for people reading results, never parsed again.
/// </summary>
public sealed record RunSpec(string RunId, RunDefinition Definition, ImmutableSortedDictionary<string, string> Options)
{
    // Written for readers of the API and the journal; read back from the definition.
    public string Task => Definition.Task;
    public string Name => Definition.RunName;
    public long Seed => Definition.RunSeed;
}

/// <summary>Summary metrics a run reports with a checkpoint: the last training loss, and the last evaluation's exact match and loss.</summary>
public sealed record RunSummary(double? Loss, double? ValidationExactMatch, double? ValidationLoss = null);

/// <summary>One point of a run's journaled curve: an accepted checkpoint's step and its metrics.</summary>
public sealed record HistoryPoint(long Step, double? Loss, double? ValidationExactMatch, double? ValidationLoss);

/// <summary>A stored checkpoint: the step it holds, where the checkpoint store keeps it, and its metrics.</summary>
public sealed record CheckpointInfo(long Step, string Reference, RunSummary Summary);
