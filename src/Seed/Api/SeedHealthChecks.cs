using System.Data.Common;
using Akka.Actor;
using Akka.Hosting;
using ActorSweep.Hosting.Clustering;
using ActorSweep.Messages.Sweeps;
using ActorSweep.Seed.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ActorSweep.Seed.Api;

/// <summary>The journal's database answers a query.</summary>
public sealed class JournalDatabaseHealthCheck(JournalDatabase database) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = database.CreateConnection();
            await connection.OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT 1";
            await command.ExecuteScalarAsync(cancellationToken);
            return HealthCheckResult.Healthy(database.Description);
        }
        catch (Exception e) when (e is DbException or InvalidOperationException or IOException)
        {
            return HealthCheckResult.Unhealthy($"{database.Description}: {e.Message}");
        }
    }
}

/// <summary>The supervisor singleton (somewhere in the cluster) has recovered from its journal and answers.</summary>
public sealed class SupervisorHealthCheck(ActorRegistry registry) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var list = await registry.Get<SweepSupervisorProxy>().Ask<SweepList>(new ListSweeps(), ActorSweep.Hosting.Web.OpsEndpoints.SupervisorWait, cancellationToken);
            return HealthCheckResult.Healthy($"supervisor answers; {list.Sweeps.Count} sweep(s), {list.Sweeps.Count(s => !s.Finished)} unfinished");
        }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException or MissingActorRegistryEntryException)
        {
            return HealthCheckResult.Unhealthy($"the sweep supervisor did not answer within 5 s ({e.GetType().Name})");
        }
    }
}
