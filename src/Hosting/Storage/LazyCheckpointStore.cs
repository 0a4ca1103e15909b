namespace ActorSweep.Hosting.Storage;

/// <summary>
/// A checkpoint store made on first use, and made again after a failed attempt: a database store
/// creates its table when it is made, and a seed must start (and recover) while its database does
/// not answer yet. The supervisor needs its store only for PBT's copies.
/// </summary>
public sealed class LazyCheckpointStore(Func<ICheckpointStore> create) : ICheckpointStore
{
    // PublicationOnly: an exception is not cached, so the next use tries again.
    readonly Lazy<ICheckpointStore> _store = new(create, LazyThreadSafetyMode.PublicationOnly);

    public string Save(string sweepId, string runId, int attempt, long step, byte[] data) => _store.Value.Save(sweepId, runId, attempt, step, data);

    public void DeleteOlder(string sweepId, string runId, long step) => _store.Value.DeleteOlder(sweepId, runId, step);

    public byte[] Load(string reference) => _store.Value.Load(reference);
}
