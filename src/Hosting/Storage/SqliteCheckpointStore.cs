using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace ActorSweep.Hosting.Storage;

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
        SqliteSettings.Configure(connection);
        return connection;
    }
}
