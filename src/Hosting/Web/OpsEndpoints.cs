using System.Text.Json;
using Akka.Actor;
using Akka.Cluster;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ActorSweep.Hosting.Web;

/// <summary>
/// What every host serves for operators: <c>/healthz</c> (every check, as JSON; 503 unless all
/// are healthy: the readiness probe) and <c>/healthz/live</c> (cluster membership only: the
/// liveness probe, since restarting a node does not cure an unreachable database). The seed adds
/// its journal and supervisor checks to the cluster check here.
/// </summary>
public static class OpsEndpoints
{
    /// <summary>How long /healthz waits for the supervisor to answer; probes must allow longer (the manifest tests check).</summary>
    public static readonly TimeSpan SupervisorWait = TimeSpan.FromSeconds(5);

    public const string HealthPath = "/healthz";
    public const string LivenessPath = "/healthz/live";
    /// <summary>The membership check's name in the probes' JSON (its data: members Up, unreachable).</summary>
    public const string ClusterCheck = "cluster";

    public static IHealthChecksBuilder AddClusterHealthCheck(this IServiceCollection services) =>
        services.AddHealthChecks().AddCheck<ClusterMembershipHealthCheck>(ClusterCheck);

    public static WebApplication MapHealth(this WebApplication app)
    {
        app.MapHealthChecks(HealthPath, Options(_ => true));
        app.MapHealthChecks(LivenessPath, Options(check => check.Name == ClusterCheck));
        return app;
    }

    static HealthCheckOptions Options(Func<HealthCheckRegistration, bool> which) =>
        new()
        {
            Predicate = which,
            ResponseWriter = WriteJson,
            ResultStatusCodes =
            {
                [HealthStatus.Healthy] = StatusCodes.Status200OK,
                [HealthStatus.Degraded] = StatusCodes.Status503ServiceUnavailable,
                [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
            },
        };

    static Task WriteJson(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        var body = new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new
            {
                status = e.Value.Status.ToString(),
                description = e.Value.Description,
                data = e.Value.Data.Count == 0 ? null : e.Value.Data,
            }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, new JsonSerializerOptions(JsonSerializerDefaults.Web)));
    }
}

/// <summary>Healthy while this node is an Up member of the cluster; reports members and unreachable ones.</summary>
public sealed class ClusterMembershipHealthCheck(ActorSystem system) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (system.WhenTerminated.IsCompleted) return Task.FromResult(HealthCheckResult.Unhealthy("the actor system has terminated"));
        var cluster = Cluster.Get(system);
        var state = cluster.State;
        var data = new Dictionary<string, object>
        {
            ["self"] = cluster.SelfAddress.ToString(),
            ["status"] = cluster.SelfMember.Status.ToString(),
            ["roles"] = string.Join(",", cluster.SelfRoles),
            ["members"] = state.Members.Count(m => m.Status == MemberStatus.Up),
            ["unreachable"] = state.Unreachable.Count,
            ["leader"] = state.Leader?.ToString() ?? "",
        };
        var lost = ActorSweep.Hosting.Clustering.SeedContact.Get(system);
        if (lost.Lost > lost.Grace)
            return Task.FromResult(HealthCheckResult.Unhealthy($"no reachable seed for {lost.Lost.TotalSeconds:F0} s", data: data));
        var result = cluster.SelfMember.Status switch
        {
            MemberStatus.Up or MemberStatus.WeaklyUp => HealthCheckResult.Healthy($"member of a cluster of {data["members"]}", data),
            MemberStatus.Joining => HealthCheckResult.Degraded("joining the cluster", data: data),
            var status => HealthCheckResult.Unhealthy($"cluster member status {status}", data: data),
        };
        return Task.FromResult(result);
    }
}
