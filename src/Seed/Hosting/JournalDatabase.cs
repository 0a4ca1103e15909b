using System.Data.Common;
using ActorSweep.Hosting.Storage;
using LinqToDB;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace ActorSweep.Seed.Hosting;

/// <summary>
/// The database that holds the journal, snapshots and (by default) checkpoints: an embedded
/// SQLite file, or PostgreSQL for clusters.
/// </summary>
public sealed record JournalDatabase(string ConnectionString, string ProviderName, string Description, string? FilePath = null)
{
    /// <summary>Its description only: the connection string may hold a password, and records print every property.</summary>
    public override string ToString() => Description;

    /// <summary>The embedded default: ~/.local/share/actorsweep/actorsweep.db (or $ACTORSWEEP_HOME/actorsweep.db).</summary>
    public static string DefaultSqlitePath()
    {
        string? home = Environment.GetEnvironmentVariable("ACTORSWEEP_HOME");
        if (string.IsNullOrEmpty(home))
        {
            string data = Environment.GetEnvironmentVariable("XDG_DATA_HOME") is { Length: > 0 } xdg
                ? xdg
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
            home = Path.Combine(data, "actorsweep");
        }
        return Path.Combine(home, "actorsweep.db");
    }

    /// <summary>A SQLite file, created if missing, in WAL mode so readers (status, replay) never block the runner.</summary>
    public static JournalDatabase Sqlite(string path)
    {
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string connectionString = new SqliteConnectionStringBuilder { DataSource = full, Pooling = true }.ToString();
        using (var connection = new SqliteConnection(connectionString))
        {
            connection.Open();
            using var pragma = connection.CreateCommand();
            pragma.CommandText = "PRAGMA journal_mode=WAL;";
            pragma.ExecuteNonQuery();
            EnsureJournalIndex(connection, createTable: true);
        }
        return new JournalDatabase(connectionString, LinqToDB.ProviderName.SQLiteMS, $"SQLite {full}", full);
    }

    /// <summary>Opens an existing SQLite file for reading, without creating it.</summary>
    public static JournalDatabase ExistingSqlite(string path)
    {
        string full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new FileNotFoundException($"no ActorSweep database at {full}", full);
        string connectionString = new SqliteConnectionStringBuilder { DataSource = full }.ToString();
        using (var connection = new SqliteConnection(connectionString))
        {
            connection.Open();
            SqliteSettings.Configure(connection);
            EnsureJournalIndex(connection, createTable: false); // databases written before the index existed
        }
        return new JournalDatabase(connectionString, LinqToDB.ProviderName.SQLiteMS, $"SQLite {full}", full);
    }

    /// <summary>A PostgreSQL database (the cluster journal), by Npgsql connection string.</summary>
    public static JournalDatabase Postgres(string connectionString)
    {
        NpgsqlConnectionStringBuilder builder;
        try { builder = new NpgsqlConnectionStringBuilder(connectionString); }
        catch (ArgumentException e) { throw new ArgumentException($"not a PostgreSQL connection string: {e.Message}"); }
        return new JournalDatabase(connectionString, LinqToDB.ProviderName.PostgreSQL15,
            $"PostgreSQL {builder.Host}:{builder.Port}/{builder.Database}");
    }

    /// <summary>
    /// Akka.Persistence.Sql creates SQLite's journal table with no index on (persistence_id,
    /// sequence_number), so every recovery and query batch scans the whole journal: reading a
    /// 110,000-event sweep ran at about 4,000 events/s. The table is created here first, in the
    /// plugin's own form (its auto-initialisation then finds it), with that index.
    /// </summary>
    static void EnsureJournalIndex(SqliteConnection connection, bool createTable)
    {
        using var command = connection.CreateCommand();
        command.CommandText = createTable
            ? JournalTable + JournalIndex
            : "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'journal'";
        if (createTable || (long)command.ExecuteScalar()! == 0)
        {
            if (createTable) command.ExecuteNonQuery();
            return;
        }
        command.CommandText = JournalIndex;
        command.ExecuteNonQuery();
    }

    const string JournalTable = """
        CREATE TABLE IF NOT EXISTS [journal]
        (
        	[ordering]        INTEGER        NOT NULL PRIMARY KEY AUTOINCREMENT,
        	[created]         INTEGER        NOT NULL,
        	[deleted]         Bit            NOT NULL,
        	[persistence_id]  NVarChar(255)  NOT NULL,
        	[sequence_number] INTEGER        NOT NULL,
        	[message]         VarBinary      NOT NULL,
        	[manifest]        NVarChar(500)      NULL,
        	[identifier]      INTEGER            NULL,
        	[writer_uuid]     NVarChar(128)      NULL
        );
        """;

    const string JournalIndex = "CREATE INDEX IF NOT EXISTS [journal_persistence_id_sequence_number] ON [journal] ([persistence_id], [sequence_number]);";

    /// <summary>
    /// Gives the journal its index on (persistence_id, sequence_number) once the plugin has
    /// created the table (it lacks that index on PostgreSQL too). True once the index exists;
    /// false while there is no journal table yet. SQLite files get it when they are opened.
    /// </summary>
    public async Task<bool> EnsureJournalIndexAsync(CancellationToken cancel = default)
    {
        if (!IsPostgres) return true;
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(cancel);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT to_regclass('journal') IS NOT NULL";
        if (!(bool)(await command.ExecuteScalarAsync(cancel))!) return false;
        command.CommandText = "CREATE INDEX IF NOT EXISTS journal_persistence_id_sequence_number ON journal (persistence_id, sequence_number)";
        await command.ExecuteNonQueryAsync(cancel);
        return true;
    }

    public bool IsPostgres => ProviderName == LinqToDB.ProviderName.PostgreSQL15;

    /// <summary>A new, unopened connection to this database.</summary>
    public DbConnection CreateConnection() =>
        IsPostgres ? new NpgsqlConnection(ConnectionString) : new SqliteConnection(ConnectionString);

    /// <summary>The checkpoint table in this same database.</summary>
    public ICheckpointStore CheckpointStore() =>
        IsPostgres ? new PostgresCheckpointStore(ConnectionString) : new SqliteCheckpointStore(ConnectionString);

    /// <summary>The journal's connection settings: on SQLite, those of <see cref="SqliteSettings"/>.</summary>
    public DataOptions JournalDataOptions()
    {
        var options = new DataOptions().UseConnectionString(ProviderName, ConnectionString);
        return ProviderName == LinqToDB.ProviderName.SQLiteMS
            ? options.UseAfterConnectionOpened(SqliteSettings.Configure, (connection, _) => { SqliteSettings.Configure(connection); return Task.CompletedTask; })
            : options;
    }
}
