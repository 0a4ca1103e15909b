using ActorSweep.Messages.Results;
using ActorSweep.Messages.Runs;

namespace ActorSweep.GpuNode.Tasks;

/// <summary>
/// A kind of run a sweep can hold ("addition", "noop"): its option schema, and how a worker
/// trains one. Options arrive as JSON text by name; bad names and values are refused with an
/// <see cref="ArgumentException"/> that names the option.
/// </summary>
public interface IRunTask
{
    string Name { get; }
    IReadOnlyCollection<string> OptionNames { get; }
    /// <summary>Checks one option's value on its own (type and range).</summary>
    void ValidateOption(string name, string json);
    /// <summary>Checks a whole run, including rules that span options.</summary>
    void Validate(RunSpec run);
    /// <summary>Starts a run, or continues it from a checkpoint this task wrote.</summary>
    IRunSession Start(RunSpec run, byte[]? checkpoint);
}

/// <summary>
/// One run being trained, one step per call. A training actor owns it and calls it from its own
/// thread only.
/// </summary>
public interface IRunSession : IDisposable
{
    long Step { get; }
    long TotalSteps { get; }
    bool Finished => Step >= TotalSteps;
    /// <summary>Steps between checkpoints.</summary>
    int CheckpointEvery { get; }
    double? LastLoss { get; }
    double? LastValidation { get; }
    /// <summary>Wall time spent training and evaluating, across resumes.</summary>
    double ComputeSeconds { get; }
    /// <summary>One training step, plus the validation the schedule puts after it.</summary>
    void TrainStep();
    byte[] Checkpoint();
    /// <summary>The final evaluation and report; call once <see cref="Finished"/>.</summary>
    RunReport Finish();
}
