using ActorSweep.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ActorSweep.Seed.Hosting;

/// <summary>
/// Adds the journal's (persistence_id, sequence_number) index on PostgreSQL once the table exists,
/// in the background: the database may not be reachable yet when a seed starts, so it tries again
/// with a back-off (2 s doubling to 60 s) and one log line per failed try.
/// </summary>
public sealed class JournalIndexService(JournalDatabase database, ILogger<JournalIndexService> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        for (int failures = 1; !stoppingToken.IsCancellationRequested; failures++)
        {
            var delay = Backoff.Delay(failures, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(60));
            try
            {
                if (await database.EnsureJournalIndexAsync(stoppingToken)) return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning("Could not index the journal yet ({Error}); trying again in {Delay} s", e.Message, delay.TotalSeconds);
            }
            try { await Task.Delay(delay, stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }
}
