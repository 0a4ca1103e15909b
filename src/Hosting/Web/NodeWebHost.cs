using ActorSweep.Hosting.Clustering;
using ActorSweep.Telemetry.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ActorSweep.Hosting.Web;

/// <summary>
/// What every ActorSweep process (seed, worker, the embedded run) is built on: Kestrel on its
/// URLs, a shutdown long enough to drain, its metrics, the cluster health check, Akka logging
/// through the host's loggers, and /healthz and /metrics.
/// </summary>
public static class NodeWebHost
{
    /// <param name="logFile">Logs go here instead of the console (the terminal shows progress).</param>
    public static WebApplicationBuilder CreateBuilder(string urls, string serviceName, LogLevel level, ILoggerProvider? logFile = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(urls);
        builder.Logging.ClearProviders().SetMinimumLevel(level).AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        if (logFile is not null) builder.Logging.AddProvider(logFile);
        else builder.Logging.AddSimpleConsole(c => { c.SingleLine = true; c.TimestampFormat = "HH:mm:ss.fff "; });
        // The drain (checkpoint and hand back every run) must finish inside the host's shutdown.
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = ClusterHosting.DrainTimeout + TimeSpan.FromSeconds(15));
        builder.Services.AddActorSweepMetrics(serviceName);
        builder.Services.AddClusterHealthCheck();
        return builder;
    }

    public static WebApplication MapOps(this WebApplication app)
    {
        app.MapHealth();
        app.MapActorSweepMetrics();
        return app;
    }

    /// <summary>The addresses a started host really listens on (after port 0 was resolved).</summary>
    public static IReadOnlyList<string> ListeningUrls(IHost host) =>
        host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];
}
