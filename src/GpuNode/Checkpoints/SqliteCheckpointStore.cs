using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace ActorSweep.GpuNode.Checkpoints;

/// <summary>Checkpoints in a table of the embedded SQLite database (the journal's file by default).</summary>
public sealed class SqliteCheckpointStore : SqlCheckpointStore
{
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

    protected override string Prefix => "sqlite:";

    protected override DbConnection Open()
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
    public static void Configure(DbConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;";
        command.ExecuteNonQuery();
    }
}
