using System.CommandLine;
using ActorSweep.Hosting.Clustering;
using ActorSweep.Seed.Hosting;

namespace ActorSweep.Seed.Cli;

/// <summary>Options several commands share.</summary>
public static class CliOptions
{
    public static Option<string?> Database() => new("--db")
    {
        Description = $"The embedded SQLite database (default {JournalDatabase.DefaultSqlitePath()}; ACTORSWEEP_HOME moves it).",
    };

    /// <summary>Intra-op threads for evaluation and prediction (process-wide in libtorch; restored afterwards).</summary>
    public static Option<int> Threads() => new("--threads")
    {
        Description = "Intra-op threads (default: every core).", DefaultValueFactory = _ => Math.Max(1, Environment.ProcessorCount),
    };

    /// <summary>How many rows a results table shows, best first.</summary>
    public static Option<int> Top() => new("--top")
    {
        Description = "Show the best N runs (0: every run).", DefaultValueFactory = _ => Reports.SweepPrinter.DefaultTop,
    };

    /// <summary>A PostgreSQL connection string (it may hold a password): --postgres, or --postgres-file from a mounted secret.</summary>
    public static SecretOption Postgres() =>
        new("--postgres", "ACTORSWEEP_POSTGRES", "Use this PostgreSQL database (a connection string) instead of SQLite");

    public static Option<string?> Api() =>
        EnvOption.Text("--api", "ACTORSWEEP_API", "Ask a seed host's HTTP API (e.g. http://127.0.0.1:8080) instead of reading a database");

    public static SecretOption Token() =>
        new("--token", "ACTORSWEEP_API_TOKEN", "Bearer token for the API's mutating calls");

    /// <summary>The database the options name: PostgreSQL when given, else an existing SQLite file (never created by a reader).</summary>
    public static JournalDatabase ExistingDatabase(ParseResult parse, Option<string?> db, SecretOption postgres) =>
        postgres.Read(parse) is { } connection
            ? JournalDatabase.Postgres(connection)
            : JournalDatabase.ExistingSqlite(parse.GetValue(db) ?? JournalDatabase.DefaultSqlitePath());
}
