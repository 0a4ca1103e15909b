using Npgsql;

namespace ActorSweep.GpuNode.Checkpoints;

/// <summary>
/// Checkpoints in a table of the cluster's PostgreSQL database, beside the journal: every worker
/// reaches it, so a run resumes on whichever node picks it up next.
/// </summary>
public sealed class PostgresCheckpointStore : ICheckpointStore, IDisposable
{
    public const string Prefix = "pg:";
    readonly NpgsqlDataSource _source;

    public PostgresCheckpointStore(string connectionString)
    {
        _source = NpgsqlDataSource.Create(connectionString);
        // Several processes may start at once; CREATE ... IF NOT EXISTS can still race on the
        // catalog, so the creation is serialised with an advisory lock.
        using var connection = _source.OpenConnection();
        using var tx = connection.BeginTransaction();
        Execute(connection, tx, "SELECT pg_advisory_xact_lock(7301)");
        Execute(connection, tx, """
            CREATE TABLE IF NOT EXISTS actorsweep_checkpoints (
              reference TEXT PRIMARY KEY, sweep_id TEXT NOT NULL, run_id TEXT NOT NULL,
              step BIGINT NOT NULL, created_at TIMESTAMPTZ NOT NULL, data BYTEA NOT NULL);
            CREATE INDEX IF NOT EXISTS actorsweep_checkpoints_run ON actorsweep_checkpoints (sweep_id, run_id, step);
            """);
        tx.Commit();
    }

    public string Save(string sweepId, string runId, int attempt, long step, byte[] data)
    {
        string reference = $"{Prefix}{sweepId}/{runId}/{step}.a{attempt}";
        using var connection = _source.OpenConnection();
        Execute(connection, null, """
            INSERT INTO actorsweep_checkpoints (reference, sweep_id, run_id, step, created_at, data)
            VALUES (@ref, @sweep, @run, @step, now(), @data)
            ON CONFLICT (reference) DO UPDATE SET data = excluded.data, created_at = excluded.created_at
            """, ("ref", reference), ("sweep", sweepId), ("run", runId), ("step", step), ("data", data));
        return reference;
    }

    public void DeleteOlder(string sweepId, string runId, long step)
    {
        using var connection = _source.OpenConnection();
        Execute(connection, null, "DELETE FROM actorsweep_checkpoints WHERE sweep_id = @sweep AND run_id = @run AND step < @step",
            ("sweep", sweepId), ("run", runId), ("step", step));
    }

    public byte[] Load(string reference)
    {
        using var connection = _source.OpenConnection();
        using var command = new NpgsqlCommand("SELECT data FROM actorsweep_checkpoints WHERE reference = @ref", connection);
        command.Parameters.AddWithValue("ref", reference);
        return command.ExecuteScalar() as byte[] ?? throw new FileNotFoundException($"checkpoint '{reference}' is not in the store");
    }

    static void Execute(NpgsqlConnection connection, NpgsqlTransaction? tx, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = new NpgsqlCommand(sql, connection, tx);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        command.ExecuteNonQuery();
    }

    public void Dispose() => _source.Dispose();
}
