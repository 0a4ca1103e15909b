using ActorSweep.Tasks;
using ActorSweep.Tasks.Addition;
using ActorSweep.Tasks.Noop;

namespace ActorSweep.GpuNode.Runs;

/// <summary>Which code trains a run: one session kind per task's definition.</summary>
public static class RunSessions
{
    /// <summary>
    /// Starts a run, or continues it from a checkpoint its own task wrote; <paramref name="adopted"/>:
    /// from another run's checkpoint of the same model (PBT's exploit), under this run's options.
    /// </summary>
    public static IRunSession Start(RunDefinition definition, byte[]? checkpoint, bool adopted = false) => definition switch
    {
        AdditionDefinition addition => AdditionSession.Start(addition.Run, checkpoint, adopted),
        NoopDefinition noop => NoopSession.Start(noop, checkpoint),
        _ => throw new ArgumentException($"this worker cannot train task '{definition.Task}'"),
    };
}
