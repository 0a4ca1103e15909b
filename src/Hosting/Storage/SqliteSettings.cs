using System.Data.Common;

namespace ActorSweep.Hosting.Storage;

/// <summary>
/// Per-connection settings of the embedded SQLite database, which the journal and the checkpoint
/// store share (one file): WAL's synchronous=NORMAL, so a commit is durable against a killed
/// process without an fsync per event (which would cap the supervisor at a few hundred events
/// per second), and a busy timeout, since both write to the same file.
/// </summary>
public static class SqliteSettings
{
    public static void Configure(DbConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;";
        command.ExecuteNonQuery();
    }
}
