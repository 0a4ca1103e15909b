using System.Data.Common;
using Npgsql;

namespace ActorSweep.Hosting.Storage;

/// <summary>
/// Checkpoints in a table of the cluster's PostgreSQL database, beside the journal: every worker
/// reaches it, so a run resumes on whichever node picks it up next.
/// </summary>
public sealed class PostgresCheckpointStore : SqlCheckpointStore, IDisposable
{
    readonly NpgsqlDataSource _source;

    public PostgresCheckpointStore(string connectionString)
    {
        _source = NpgsqlDataSource.Create(connectionString);
        // Several processes may start at once; CREATE ... IF NOT EXISTS can still race on the
        // catalog, so the creation is serialised with an advisory lock.
        using var connection = _source.OpenConnection();
        using var tx = connection.BeginTransaction();
        Execute(connection, "SELECT pg_advisory_xact_lock(7301)");
        Execute(connection, """
            CREATE TABLE IF NOT EXISTS actorsweep_checkpoints (
              reference TEXT PRIMARY KEY, sweep_id TEXT NOT NULL, run_id TEXT NOT NULL,
              step BIGINT NOT NULL, created_at TIMESTAMPTZ NOT NULL, data BYTEA NOT NULL);
            CREATE INDEX IF NOT EXISTS actorsweep_checkpoints_run ON actorsweep_checkpoints (sweep_id, run_id, step);
            """);
        tx.Commit();
    }

    protected override string Prefix => "pg:";

    protected override DbConnection Open() => _source.OpenConnection();

    public void Dispose() => _source.Dispose();
}
