namespace ActorSweep.Hosting.Storage;

/// <summary>
/// Where training actors keep checkpoints: by default a table in the sweep's own database, or a
/// directory (shared by every node in a cluster). A reference names one stored checkpoint;
/// the supervisor keeps references, never the bytes. Calls block: a training actor makes them
/// on its own thread between steps.
/// </summary>
public interface ICheckpointStore
{
    /// <summary>
    /// Stores a checkpoint of a run's attempt at a step and returns its reference. The attempt is
    /// part of the reference, so an attempt that is no longer current (a hung or cut-off worker
    /// that goes on training) never overwrites a checkpoint of the current one.
    /// </summary>
    string Save(string sweepId, string runId, int attempt, long step, byte[] data);

    /// <summary>
    /// Deletes the run's checkpoints (of any attempt) older than <paramref name="step"/>. Called only once the
    /// supervisor has accepted the checkpoint at that step, so every reference it may still
    /// resume from survives.
    /// </summary>
    void DeleteOlder(string sweepId, string runId, long step);

    /// <summary>The bytes behind a reference; <see cref="FileNotFoundException"/> when it is gone.</summary>
    byte[] Load(string reference);
}
