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
        }
        return new JournalDatabase(connectionString, LinqToDB.ProviderName.SQLiteMS, $"SQLite {full}", full);
    }

    /// <summary>Opens an existing SQLite file for reading, without creating it.</summary>
    public static JournalDatabase ExistingSqlite(string path)
    {
        string full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new FileNotFoundException($"no ActorSweep database at {full}", full);
        return new JournalDatabase(new SqliteConnectionStringBuilder { DataSource = full }.ToString(), LinqToDB.ProviderName.SQLiteMS, $"SQLite {full}", full);
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
