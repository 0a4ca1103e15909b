using ActorSweep.Seed.Dashboard;
using Akka.Hosting;
using ActorSweep.Hosting.Clustering;
using ActorSweep.Hosting.Web;
using ActorSweep.Seed.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ActorSweep.Seed.Hosting;

/// <summary>How a seed host runs: its cluster address and seeds, its journal, its API, and optionally worker slots of its own.</summary>
public sealed record SeedOptions(ClusterSetup Cluster, JournalDatabase Database)
{
    /// <summary>Without the API token (records print every property).</summary>
    public override string ToString() => $"seed on {Database}, API at {ApiUrls}";

    /// <summary>Where the HTTP API, /healthz and /metrics listen. Loopback unless configured otherwise.</summary>
    public string ApiUrls { get; init; } = "http://127.0.0.1:8080";
    /// <summary>When set, mutating API calls need "Authorization: Bearer" with it.</summary>
    public string? ApiToken { get; init; }
    /// <summary>Where the runs' checkpoints are files (its in-process worker's), for PBT's copies; otherwise the journal's database.</summary>
    public string? CheckpointDirectory { get; init; }
    /// <summary>
    /// A worker in this same process (role worker too): adds its node agent to the actor system.
    /// The supervisor side knows nothing of training; the composition root (the `actorsweep`
    /// command) supplies this.
    /// </summary>
    public Action<AkkaConfigurationBuilder>? Worker { get; init; }
    /// <summary>Logs go to this file (the terminal shows progress); null: the console.</summary>
    public string? LogFile { get; init; }
    public LogLevel LogLevel { get; init; } = LogLevel.Information;
    public int SnapshotEvery { get; init; } = 200;
    /// <summary>False: Ctrl-C and SIGTERM do not stop the host by themselves (the command line drains first).</summary>
    public bool StopOnSignals { get; init; } = true;
}

/// <summary>
/// A process with role "seed": the journal, the sweep supervisor singleton and its proxy, the HTTP
/// API with /healthz, and, with <see cref="SeedOptions.Worker"/>, a node agent of its own (the
/// embedded default of `actorsweep run` is such a host with no seed nodes to join).
/// </summary>
public static class SeedHost
{
    public static WebApplication Build(SeedOptions options)
    {
        var builder = NodeWebHost.CreateBuilder(options.ApiUrls, "actorsweep-seed", options.LogLevel,
            options.LogFile is { } file ? new FileLoggerProvider(file, options.LogLevel) : null);
        if (!options.StopOnSignals) builder.Services.AddSingleton<IHostLifetime, CommandLineLifetime>();
        builder.Services.AddSingleton(options.Database);
        if (options.Database.IsPostgres) builder.Services.AddHostedService<JournalIndexService>();
        builder.Services.AddHealthChecks()
            .AddCheck<JournalDatabaseHealthCheck>("journal")
            .AddCheck<SupervisorHealthCheck>("supervisor");

        builder.Services.AddAkka(ClusterSetup.SystemName, akka =>
        {
            akka.WithSerializationAndLogging(options.LogLevel);
            // Akka registers its own SIGINT/SIGTERM handler that runs coordinated shutdown; where the
            // command line owns the signals (to drain and report first), that handler must stay off.
            if (!options.StopOnSignals)
                akka.AddHocon("akka.coordinated-shutdown.run-by-clr-shutdown-hook = off", HoconAddMode.Prepend);
            var roles = options.Worker is not null ? new[] { ClusterSetup.SeedRole, ClusterSetup.WorkerRole } : [ClusterSetup.SeedRole];
            akka.WithActorSweepCluster(options.Cluster with { Roles = roles })
                .WithSweepSupervisor(options.Database, options.SnapshotEvery,
                    options.CheckpointDirectory is { } directory ? new ActorSweep.Hosting.Storage.DirectoryCheckpointStore(directory) : null);
            options.Worker?.Invoke(akka);
        });

        var app = builder.Build();
        app.MapOps();
        app.MapSweepApi(options.ApiToken);
        app.MapSweepLiveApi();
        app.MapDashboard();
        if (string.IsNullOrEmpty(options.ApiToken) && !IsLoopbackOnly(options.ApiUrls))
            app.Logger.LogWarning("The API listens on {Urls} beyond loopback without a token: anyone who reaches it can submit and cancel sweeps. Set ACTORSWEEP_API_TOKEN.", options.ApiUrls);
        return app;
    }

    public static bool IsLoopbackOnly(string urls) =>
        urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).All(url =>
        {
            if (!Uri.TryCreate(url.Replace("://*", "://0.0.0.0").Replace("://+", "://0.0.0.0"), UriKind.Absolute, out var uri)) return false;
            return ClusterSetup.IsLoopbackHost(uri.Host);
        });

    /// <summary>The command line handles Ctrl-C itself (to drain first), so the host must not stop on it.</summary>
    sealed class CommandLineLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
