using ActorSweep.Telemetry.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace ActorSweep.Telemetry.Hosting;

/// <summary>
/// Every host exports its meters through OpenTelemetry's Prometheus exporter at /metrics
/// (names become actorsweep_..._total, ..._seconds_bucket and so on).
/// </summary>
public static class MetricsHosting
{
    public const string MetricsPath = "/metrics";
    public static readonly string[] MeterNames = [SupervisorMetrics.MeterName, NodeMetrics.MeterName, RunMetrics.MeterName];

    /// <summary>Seconds buckets from a millisecond to a few minutes (the defaults suit milliseconds).</summary>
    static readonly double[] SecondsBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

    /// <param name="serviceName">actorsweep-seed or actorsweep-worker (Prometheus's target_info names it).</param>
    public static IServiceCollection AddActorSweepMetrics(this IServiceCollection services, string serviceName)
    {
        services.AddOpenTelemetry().ConfigureResource(r => r.AddService(serviceName)).WithMetrics(metrics =>
        {
            metrics.AddMeter(MeterNames);
            foreach (var histogram in new[] { "actorsweep.journal.write.duration", "actorsweep.train.step.duration", "actorsweep.checkpoint.duration" })
                metrics.AddView(histogram, new ExplicitBucketHistogramConfiguration { Boundaries = SecondsBuckets });
            metrics.AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0);
        });
        return services;
    }

    public static WebApplication MapActorSweepMetrics(this WebApplication app)
    {
        app.MapPrometheusScrapingEndpoint(MetricsPath);
        return app;
    }
}
