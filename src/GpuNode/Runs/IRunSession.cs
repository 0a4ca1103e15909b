using ActorSweep.Messages.Results;

namespace ActorSweep.GpuNode.Runs;

/// <summary>
/// One run being trained, one step per call, by its task's own code (a TorchSharp model, or
/// nothing for noop). <see cref="RunLoop"/> drives it; whoever owns the loop calls it from one
/// thread only.
/// </summary>
public interface IRunSession : IDisposable
{
    long Step { get; }
    long TotalSteps { get; }
    bool Finished => Step >= TotalSteps;
    double? LastLoss { get; }
    double? LastValidation { get; }
    /// <summary>The validation loss of the last evaluation, where the task computes one.</summary>
    double? LastValidationLoss => null;
    /// <summary>Wall time spent training and evaluating, across resumes.</summary>
    double ComputeSeconds { get; }
    /// <summary>One training step, plus the validation the schedule puts after it; true when it validated.</summary>
    bool TrainStep();
    byte[] Checkpoint();
    /// <summary>The final evaluation and report; call once <see cref="Finished"/>.</summary>
    RunReport Finish();
}
