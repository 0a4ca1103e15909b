using Akka.Actor;
using Akka.Hosting;
using ActorSweep.GpuNode.Checkpoints;
using ActorSweep.GpuNode.Hosting;
using ActorSweep.GpuNode.Node;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TorchSharp;

namespace ActorSweep.Seed.Hosting;

/// <summary>Options of a one-process cluster: seed and worker roles, an embedded database.</summary>
public sealed record EmbeddedOptions(JournalDatabase Database, int Slots)
{
    /// <summary>Keep checkpoints as files here instead of in the database.</summary>
    public string? CheckpointDirectory { get; init; }
    /// <summary>Where Akka's log goes (the progress display owns the terminal); null: standard error.</summary>
    public string? LogFile { get; init; }
    public Func<NodeSettings, NodeSettings>? AdjustNode { get; init; }
    public int SnapshotEvery { get; init; } = 200;
}

/// <summary>
/// The embedded default: one process that is a whole cluster, with the sweep supervisor (role
/// seed) and a node agent (role worker), journalling to SQLite. `actorsweep run` and the tests use it.
/// </summary>
public static class EmbeddedHost
{
    public static async Task<IHost> StartAsync(EmbeddedOptions options, CancellationToken cancel = default)
    {
        // Each training actor trains on one thread of its own; libtorch's intra-op pool would make them fight.
        torch.set_num_threads(1);
        ICheckpointStore checkpoints = options.CheckpointDirectory is { } dir ? new DirectoryCheckpointStore(dir) : options.Database.CheckpointStore();
        var host = new HostBuilder()
            .ConfigureLogging(logging =>
            {
                logging.ClearProviders();
                if (options.LogFile is { } file) logging.AddProvider(new FileLoggerProvider(file, LogLevel.Information));
                else logging.AddSimpleConsole(c => c.SingleLine = true).AddFilter(level => level >= LogLevel.Warning);
            })
            .ConfigureServices(services =>
            {
                services.AddSingleton<IHostLifetime, CommandLineLifetime>();
                services.AddAkka(ClusterSetup.SystemName, builder =>
                {
                    builder.ConfigureLoggers(l =>
                    {
                        l.LogLevel = Akka.Event.LogLevel.InfoLevel;
                        l.ClearLoggers();
                        l.AddLoggerFactory();
                    });
                    builder.WithActorSweepCluster(new ClusterSetup())
                        .WithSweepSupervisor(options.Database, options.SnapshotEvery)
                        .WithNodeAgent(options.Slots, system =>
                        {
                            var node = new NodeSettings(ClusterHosting.SelfNodeId(system), options.Slots, "cpu", checkpoints);
                            return options.AdjustNode?.Invoke(node) ?? node;
                        });
                });
            })
            .Build();
        await host.StartAsync(cancel);
        return host;
    }

    /// <summary>The command line handles Ctrl-C itself (to drain first), so the host must not stop on it.</summary>
    sealed class CommandLineLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
