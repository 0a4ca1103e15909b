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
        if (options.String("snapshot-only") is not null) { SnapshotPath(connection, serializer, sweep); return 0; } // what `results` reads, alone
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
        SnapshotPath(connection, serializer, sweep);
        return 0;
    }

    /// <summary>What `results` does: the latest snapshot (read, deserialized), the events after it, the results rows and their JSON.</summary>
    static void SnapshotPath(Microsoft.Data.Sqlite.SqliteConnection connection, SweepMessageSerializer serializer, string sweep)
    {
        var clock = Stopwatch.StartNew();
        byte[] snapshot;
        string manifest;
        long at;
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT snapshot, manifest, sequence_number FROM snapshot WHERE persistence_id = $id ORDER BY sequence_number DESC LIMIT 1";
            command.Parameters.AddWithValue("$id", "sweep-" + sweep);
            using var reader = command.ExecuteReader();
            if (!reader.Read()) { Console.WriteLine("no snapshot"); return; }
            (snapshot, manifest, at) = ((byte[])reader.GetValue(0), reader.GetString(1), reader.GetInt64(2));
        }
        double read = clock.Elapsed.TotalSeconds;
        clock.Restart();
        var state = (SweepState)serializer.FromBinary(snapshot, manifest);
        double deserialize = clock.Elapsed.TotalSeconds;
        clock.Restart();
        int after = 0;
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT message, manifest FROM journal WHERE persistence_id = $id AND sequence_number > $at ORDER BY sequence_number";
            command.Parameters.AddWithValue("$id", "sweep-" + sweep);
            command.Parameters.AddWithValue("$at", at);
            using var reader = command.ExecuteReader();
            while (reader.Read()) { state = state.Apply((ISweepEvent)serializer.FromBinary((byte[])reader.GetValue(0), reader.GetString(1))); after++; }
        }
        double events = clock.Elapsed.TotalSeconds;
        clock.Restart();
        var rows = ActorSweep.Seed.Reports.SweepReport.Results(state);
        double results = clock.Elapsed.TotalSeconds;
        clock.Restart();
        string json = System.Text.Json.JsonSerializer.Serialize(rows, ActorSweep.Messages.Results.ReportJson.Options);
        double write = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"snapshot at event {at:N0} ({snapshot.Length / 1e6:F1} MB): read {read:F2} s, deserialize {deserialize:F2} s; " +
                          $"{after:N0} events after it {events:F2} s; results rows {results:F2} s; JSON {json.Length / 1e6:F1} MB in {write:F2} s");
    }
}
