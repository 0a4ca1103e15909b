using System.CommandLine;
using ActorSweep.Seed.Hosting;

namespace ActorSweep.Seed.Cli;

/// <summary>Options several commands share.</summary>
public static class CliOptions
{
    public static Option<string?> Database() => new("--db")
    {
        Description = $"The embedded SQLite database (default {JournalDatabase.DefaultSqlitePath()}; ACTORSWEEP_HOME moves it).",
    };
}
