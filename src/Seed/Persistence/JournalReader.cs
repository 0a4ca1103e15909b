using Akka.Actor;
using Akka.Hosting;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Hosting;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using ActorSweep.Hosting.Clustering;
using ActorSweep.Messages;
using ActorSweep.Messages.Sweeps;
using ActorSweep.Seed.Hosting;
using ActorSweep.Seed.Supervisor;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ActorSweep.Seed.Persistence;

/// <summary>One journalled event of a sweep with its sequence number (1-based) and write time.</summary>
public sealed record JournalEntry(long SequenceNr, DateTimeOffset Written, ISweepEvent Event);

/// <summary>
/// Reads sweeps straight from the journal with Akka.Persistence.Query, without the cluster: it
/// works on a database another process is writing (SQLite in WAL mode lets readers in) and
/// rebuilds any sweep's state as of any event by folding <see cref="SweepState.Apply"/>.
/// </summary>
public sealed class JournalReader : IAsyncDisposable
{
    readonly IHost _host;
    readonly SqlReadJournal _journal;
    readonly IMaterializer _materializer;

    JournalReader(IHost host)
    {
        _host = host;
        var system = host.Services.GetRequiredService<ActorSystem>();
        _journal = PersistenceQuery.Get(system).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier);
        _materializer = system.Materializer();
    }

    public static async Task<JournalReader> OpenAsync(JournalDatabase database)
    {
        var host = new HostBuilder()
            .ConfigureLogging(l => l.ClearProviders())
            .ConfigureServices(services => services.AddAkka("actorsweep-reader", builder =>
            {
                builder.WithSerializationAndLogging(LogLevel.Warning)
                    .WithSqlPersistence(database.JournalDataOptions(), autoInitialize: true);
            }))
            .Build();
        await host.StartAsync();
        return new JournalReader(host);
    }

    /// <summary>Every registered sweep, in the order they were first submitted.</summary>
    public async Task<IReadOnlyList<string>> SweepIdsAsync(CancellationToken cancel = default)
    {
        var ids = new List<string>();
        await _journal.CurrentEventsByPersistenceId(SweepSupervisor.JournalId, 0, long.MaxValue)
            .RunForeach(e => { if (e.Event is SweepRegistered r && !ids.Contains(r.SweepId)) ids.Add(r.SweepId); }, _materializer);
        return ids;
    }

    public async Task<IReadOnlyList<JournalEntry>> EventsAsync(string sweepId, CancellationToken cancel = default)
    {
        var entries = new List<JournalEntry>();
        await _journal.CurrentEventsByPersistenceId(SweepActor.PersistenceIdFor(sweepId), 0, long.MaxValue)
            .RunForeach(e => entries.Add(new JournalEntry(e.SequenceNr, new DateTimeOffset(e.Timestamp, TimeSpan.Zero), (ISweepEvent)e.Event)), _materializer);
        return entries;
    }

    /// <summary>The sweep's state after event <paramref name="until"/> (all events when null); null if it has none.</summary>
    public async Task<SweepState?> StateAsync(string sweepId, long? until = null, CancellationToken cancel = default)
    {
        var events = await EventsAsync(sweepId, cancel);
        if (events.Count == 0) return null;
        return Fold(sweepId, events.TakeWhile(e => until is null || e.SequenceNr <= until).Select(e => e.Event));
    }

    public static SweepState Fold(string sweepId, IEnumerable<ISweepEvent> events) =>
        events.Aggregate(SweepState.Empty(sweepId), (state, e) => state.Apply(e));

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
