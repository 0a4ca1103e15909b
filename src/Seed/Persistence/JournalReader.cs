using System.Data.Common;
using ActorSweep.Messages;
using ActorSweep.Messages.Serialization;
using ActorSweep.Messages.Sweeps;
using ActorSweep.Seed.Hosting;
using ActorSweep.Seed.Supervisor;

namespace ActorSweep.Seed.Persistence;

/// <summary>One journalled event of a sweep with its sequence number (1-based) and write time.</summary>
public sealed record JournalEntry(long SequenceNr, DateTimeOffset Written, ISweepEvent Event);

/// <summary>
/// Reads sweeps straight from the journal's tables (Akka.Persistence.Sql's `journal` and
/// `snapshot`), without the cluster or an actor system, so a command starts in milliseconds. It
/// works on a database another process is writing (SQLite in WAL mode lets readers in). A sweep's
/// state is rebuilt as the supervisor recovers it: from the latest snapshot at or before an event
/// (all of them, or N for `replay --until`) plus the events after it, folded by
/// <see cref="SweepState.Apply"/>. Histories stream event by event, in bounded memory.
/// </summary>
public sealed class JournalReader : IAsyncDisposable
{
    readonly JournalDatabase _database;
    // The one message serializer; it needs an actor system only to log refused messages.
    readonly SweepMessageSerializer _serializer = new(null!);

    JournalReader(JournalDatabase database) => _database = database;

    /// <summary>A reader never writes: a seed host adds the PostgreSQL journal's index (SQLite files get it when opened).</summary>
    public static Task<JournalReader> OpenAsync(JournalDatabase database) => Task.FromResult(new JournalReader(database));

    /// <summary>Every registered sweep, in the order they were first submitted.</summary>
    public async Task<IReadOnlyList<string>> SweepIdsAsync(CancellationToken cancel = default)
    {
        var ids = new List<string>();
        await ForEachAsync(SweepSupervisor.JournalId, 0, long.MaxValue, (_, _, e) =>
        {
            if (e is SweepRegistered r && !ids.Contains(r.SweepId)) ids.Add(r.SweepId);
        }, cancel);
        return ids;
    }

    public async Task<IReadOnlyList<JournalEntry>> EventsAsync(string sweepId, CancellationToken cancel = default)
    {
        var entries = new List<JournalEntry>();
        await ForEachEventAsync(sweepId, 0, entries.Add, cancel: cancel);
        return entries;
    }

    /// <summary>Every event of a sweep from <paramref name="from"/> to <paramref name="to"/>, handed to <paramref name="each"/> as it streams in.</summary>
    public Task ForEachEventAsync(string sweepId, long from, Action<JournalEntry> each, long to = long.MaxValue, CancellationToken cancel = default) =>
        ForEachAsync(SweepActor.PersistenceIdFor(sweepId), from, to, (sequenceNr, written, e) => each(new JournalEntry(sequenceNr, written, (ISweepEvent)e)), cancel);

    /// <summary>
    /// The sweep's state after event <paramref name="until"/> (all events when null), recovered
    /// from the nearest snapshot at or before it; null if the sweep has no events.
    /// </summary>
    public async Task<SweepState?> StateAsync(string sweepId, long? until = null, CancellationToken cancel = default) =>
        (await RecoverAsync(sweepId, until, cancel)).State;

    /// <summary>The state after event <paramref name="until"/>, and the number of events applied (0: none, the sweep is unknown).</summary>
    public async Task<(SweepState? State, long LastEvent)> RecoverAsync(string sweepId, long? until = null, CancellationToken cancel = default)
    {
        long to = until ?? long.MaxValue;
        string persistenceId = SweepActor.PersistenceIdFor(sweepId);
        var state = await LatestSnapshotAsync(persistenceId, to, cancel) ?? SweepState.Empty(sweepId);
        await ForEachAsync(persistenceId, state.EventCount + 1, to, (_, _, e) => state = state.Apply((ISweepEvent)e), cancel);
        return (state.EventCount == 0 ? null : state, state.EventCount);
    }

    /// <summary>
    /// A sweep's summary without its runs: the counts written in its latest snapshot, read by
    /// scanning the snapshot's JSON (its runs are skipped, not built), then the events after it,
    /// most known by their manifest alone. For `status` over every sweep of a large journal.
    /// </summary>
    public async Task<SweepSummary?> SummaryAsync(string sweepId, CancellationToken cancel = default)
    {
        string persistenceId = SweepActor.PersistenceIdFor(sweepId);
        var counts = SweepCounts.Empty(sweepId);
        await using (var connection = await OpenConnectionAsync(cancel))
        {
            if (connection is null) return null;
            await using var command = connection.CreateCommand();
            // The counts lead a snapshot (SweepStateJsonConverter): its first kilobytes are enough.
            command.CommandText = _database.IsPostgres
                ? "SELECT substring(snapshot from 1 for 4096), sequence_number FROM snapshot WHERE persistence_id = @id ORDER BY sequence_number DESC LIMIT 1"
                : "SELECT substr(snapshot, 1, 4096), sequence_number FROM snapshot WHERE persistence_id = @id ORDER BY sequence_number DESC LIMIT 1";
            Parameter(command, "id", persistenceId);
            long? snapshotAt = null;
            await using (var head = await command.ExecuteReaderAsync(cancel))
                if (await head.ReadAsync(cancel))
                {
                    snapshotAt = head.GetInt64(1);
                    counts = HeadCounts(sweepId, SweepMessageSerializer.JsonHead((byte[])head.GetValue(0), 16_384)) ?? counts;
                }
            if (snapshotAt is { } at && counts.EventCount == 0)
            {
                // A snapshot written before the counts led it (release 0.1): scan all of it.
                command.CommandText = "SELECT snapshot FROM snapshot WHERE persistence_id = @id AND sequence_number = @at";
                Parameter(command, "at", at);
                if (await command.ExecuteScalarAsync(cancel) is byte[] snapshot) counts = SnapshotCounts(sweepId, SweepMessageSerializer.Decompress(snapshot));
            }

            command.CommandText = "SELECT manifest, message FROM journal WHERE persistence_id = @id AND sequence_number > @from ORDER BY sequence_number";
            Parameter(command, "from", counts.EventCount);
            await using var reader = await command.ExecuteReaderAsync(cancel);
            while (await reader.ReadAsync(cancel))
            {
                string manifest = reader.GetString(0);
                if (!MessageManifests.TryGetType(manifest, out var type, out _)) throw new InvalidDataException($"unknown event manifest '{manifest}' in {persistenceId}");
                var row = reader;
                counts = counts.Apply(type, () => (ISweepEvent)_serializer.FromBinary((byte[])row.GetValue(1), manifest));
            }
        }
        return counts.EventCount == 0 ? null : counts.Summary();
    }

    /// <summary>The counts at the head of a snapshot, read from its first bytes; null when they do not lead it.</summary>
    static SweepCounts? HeadCounts(string sweepId, byte[] head)
    {
        var json = new System.Text.Json.Utf8JsonReader(head, isFinalBlock: false, state: default);
        string? task = null;
        bool cancelled = false;
        long? events = null;
        try
        {
            if (!json.Read() || json.TokenType != System.Text.Json.JsonTokenType.StartObject) return null;
            while (json.Read() && json.TokenType == System.Text.Json.JsonTokenType.PropertyName)
            {
                string name = json.GetString()!;
                if (!json.Read()) return null;
                switch (name)
                {
                    case "sweepId": break;
                    case "task": task = json.TokenType == System.Text.Json.JsonTokenType.Null ? null : json.GetString(); break;
                    case "cancelled": cancelled = json.GetBoolean(); break;
                    case "eventCount": events = json.GetInt64(); break;
                    case "counts":
                        var counts = System.Text.Json.JsonSerializer.Deserialize<RunCounts>(ref json, SweepMessageSerializer.Json)!;
                        return events is { } n ? new SweepCounts(sweepId, task, counts, cancelled, n) : null;
                    default: return null; // the large fields begin: this snapshot does not lead with its counts
                }
            }
        }
        catch (System.Text.Json.JsonException) { }
        return null;
    }

    /// <summary>The task, counts, cancellation and event count of a snapshot, its runs skipped unread.</summary>
    static SweepCounts SnapshotCounts(string sweepId, byte[] snapshot)
    {
        var json = new System.Text.Json.Utf8JsonReader(snapshot);
        string? task = null;
        RunCounts counts = RunCounts.None;
        bool cancelled = false;
        long events = 0;
        json.Read();
        while (json.Read() && json.TokenType == System.Text.Json.JsonTokenType.PropertyName)
        {
            string name = json.GetString()!;
            json.Read();
            switch (name)
            {
                case "definition" when json.TokenType == System.Text.Json.JsonTokenType.StartObject:
                    while (json.Read() && json.TokenType == System.Text.Json.JsonTokenType.PropertyName)
                    {
                        string field = json.GetString()!;
                        json.Read();
                        if (field == "task") task = json.GetString();
                        else json.Skip();
                    }
                    break;
                case "cancelled": cancelled = json.GetBoolean(); break;
                case "eventCount": events = json.GetInt64(); break;
                case "counts": counts = System.Text.Json.JsonSerializer.Deserialize<RunCounts>(ref json, SweepMessageSerializer.Json)!; break;
                default: json.Skip(); break;
            }
        }
        return new SweepCounts(sweepId, task, counts, cancelled, events);
    }

    public static SweepState Fold(string sweepId, IEnumerable<ISweepEvent> events) =>
        events.Aggregate(SweepState.Empty(sweepId), (state, e) => state.Apply(e));

    /// <summary>The youngest snapshot at or before event <paramref name="to"/>. A snapshot's state counts the events in it.</summary>
    async Task<SweepState?> LatestSnapshotAsync(string persistenceId, long to, CancellationToken cancel)
    {
        await using var connection = await OpenConnectionAsync(cancel);
        if (connection is null) return null;
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT snapshot, manifest FROM snapshot WHERE persistence_id = @id AND sequence_number <= @to ORDER BY sequence_number DESC LIMIT 1";
        Parameter(command, "id", persistenceId);
        Parameter(command, "to", to);
        await using var reader = await command.ExecuteReaderAsync(cancel);
        if (!await reader.ReadAsync(cancel)) return null;
        return (SweepState)_serializer.FromBinary((byte[])reader.GetValue(0), reader.GetString(1));
    }

    async Task ForEachAsync(string persistenceId, long from, long to, Action<long, DateTimeOffset, object> each, CancellationToken cancel)
    {
        await using var connection = await OpenConnectionAsync(cancel);
        if (connection is null) return;
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT sequence_number, created, message, manifest FROM journal " +
                              "WHERE persistence_id = @id AND sequence_number >= @from AND sequence_number <= @to ORDER BY sequence_number";
        Parameter(command, "id", persistenceId);
        Parameter(command, "from", from);
        Parameter(command, "to", to);
        await using var reader = await command.ExecuteReaderAsync(cancel);
        while (await reader.ReadAsync(cancel))
            each(reader.GetInt64(0), new DateTimeOffset(reader.GetInt64(1), TimeSpan.Zero), _serializer.FromBinary((byte[])reader.GetValue(2), reader.GetString(3)));
    }

    /// <summary>An open connection, or null while the journal has no tables yet (nothing was ever written).</summary>
    async Task<DbConnection?> OpenConnectionAsync(CancellationToken cancel)
    {
        var connection = _database.CreateConnection();
        await connection.OpenAsync(cancel);
        await using var probe = connection.CreateCommand();
        probe.CommandText = _database.IsPostgres
            ? "SELECT COUNT(*) FROM information_schema.tables WHERE table_name IN ('journal', 'snapshot') AND table_schema = current_schema()"
            : "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ('journal', 'snapshot')";
        if (Convert.ToInt64(await probe.ExecuteScalarAsync(cancel)) == 2) return connection;
        await connection.DisposeAsync();
        return null;
    }

    static void Parameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
