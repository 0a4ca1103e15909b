using System.Diagnostics;
using ActorSweep.Messages;
using ActorSweep.Messages.Serialization;
using ActorSweep.Messages.Sweeps;
using ActorSweep.Seed.Cli;

namespace ActorSweep.Bench;

/// <summary>
/// Where reading a sweep's journal spends its time, step by step, on an existing SQLite
/// database: reading the rows, deserializing the events, folding them into the state, and
/// describing them for `replay`.
/// </summary>
public static class JournalReadBench
{
    public static int Run(BenchOptions options)
    {
        string db = options.String("db") ?? throw new ArgumentException("--db FILE is required");
        string sweep = options.String("sweep") ?? throw new ArgumentException("--sweep NAME is required");
        var serializer = new SweepMessageSerializer(null!);
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={db}");
        connection.Open();
        var rows = new List<(byte[] Message, string Manifest)>();
        var clock = Stopwatch.StartNew();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT message, manifest FROM journal WHERE persistence_id = $id ORDER BY sequence_number";
            command.Parameters.AddWithValue("$id", "sweep-" + sweep);
            using var reader = command.ExecuteReader();
            while (reader.Read()) rows.Add(((byte[])reader.GetValue(0), reader.GetString(1)));
        }
        double read = clock.Elapsed.TotalSeconds;
        clock.Restart();
        var events = rows.Select(r => (ISweepEvent)serializer.FromBinary(r.Message, r.Manifest)).ToList();
        double deserialize = clock.Elapsed.TotalSeconds;
        clock.Restart();
        var state = SweepState.Empty(sweep);
        foreach (var e in events) state = state.Apply(e);
        double apply = clock.Elapsed.TotalSeconds;
        clock.Restart();
        foreach (var e in events) InspectCommands.Describe(e);
        double describe = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"{events.Count:N0} events: read {read:F2} s, deserialize {deserialize:F2} s, apply {apply:F2} s, describe {describe:F2} s " +
                          $"({events.Count / (read + deserialize + apply):F0} events/s read to state)");
        return 0;
    }
}
