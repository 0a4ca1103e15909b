using Microsoft.Data.Sqlite;

namespace ActorSweep.GpuNode.Checkpoints;

/// <summary>Checkpoints in a table of the embedded SQLite database (the journal's file by default).</summary>
public sealed class SqliteCheckpointStore : ICheckpointStore
{
    public const string Prefix = "sqlite:";
    readonly string _connectionString;

    public SqliteCheckpointStore(string connectionString)
    {
        _connectionString = connectionString;
        using var connection = Open();
        Execute(connection, """
            CREATE TABLE IF NOT EXISTS actorsweep_checkpoints (
              reference TEXT PRIMARY KEY, sweep_id TEXT NOT NULL, run_id TEXT NOT NULL,
              step INTEGER NOT NULL, created_at TEXT NOT NULL, data BLOB NOT NULL);
            CREATE INDEX IF NOT EXISTS actorsweep_checkpoints_run ON actorsweep_checkpoints (sweep_id, run_id, step);
            """);
    }

    public string Save(string sweepId, string runId, int attempt, long step, byte[] data)
    {
        string reference = $"{Prefix}{sweepId}/{runId}/{step}.a{attempt}";
        using var connection = Open();
        using var tx = connection.BeginTransaction();
        Execute(connection, """
            INSERT INTO actorsweep_checkpoints (reference, sweep_id, run_id, step, created_at, data)
            VALUES ($ref, $sweep, $run, $step, $at, $data)
            ON CONFLICT (reference) DO UPDATE SET data = excluded.data, created_at = excluded.created_at;
            """, tx, ("$ref", reference), ("$sweep", sweepId), ("$run", runId), ("$step", step),
            ("$at", DateTimeOffset.UtcNow.ToString("O")), ("$data", data));
        tx.Commit();
        return reference;
    }

    public void DeleteOlder(string sweepId, string runId, long step)
    {
        using var connection = Open();
        Execute(connection, "DELETE FROM actorsweep_checkpoints WHERE sweep_id = $sweep AND run_id = $run AND step < $step",
            null, ("$sweep", sweepId), ("$run", runId), ("$step", step));
    }

    public byte[] Load(string reference)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT data FROM actorsweep_checkpoints WHERE reference = $ref";
        command.Parameters.AddWithValue("$ref", reference);
        return command.ExecuteScalar() as byte[] ?? throw new FileNotFoundException($"checkpoint '{reference}' is not in the store");
    }

    SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        Configure(connection);
        return connection;
    }

    /// <summary>
    /// Per-connection settings for the embedded database, shared with the journal: WAL's
    /// synchronous=NORMAL (no fsync per commit; a killed process loses nothing committed) and a
    /// busy timeout, since the journal and this store write to the same file.
    /// </summary>
    public static void Configure(System.Data.Common.DbConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;";
        command.ExecuteNonQuery();
    }

    static void Execute(SqliteConnection connection, string sql, SqliteTransaction? tx = null, params (string Name, object Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        command.ExecuteNonQuery();
    }
}
