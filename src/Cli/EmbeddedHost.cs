using Akka.Hosting;
using ActorSweep.GpuNode.Hosting;
using ActorSweep.Hosting.Clustering;
using ActorSweep.Hosting.Web;
using ActorSweep.GpuNode.Node;
using ActorSweep.Hosting.Storage;
using ActorSweep.Seed.Hosting;
using Microsoft.Extensions.Hosting;

namespace ActorSweep.Cli;

/// <summary>Options of a one-process cluster: seed and worker roles, an embedded database.</summary>
public sealed record EmbeddedOptions(JournalDatabase Database, int Slots)
{
    /// <summary>Keep checkpoints as files here instead of in the database.</summary>
    public string? CheckpointDirectory { get; init; }
    /// <summary>Where Akka's log goes (the progress display owns the terminal); null: standard error.</summary>
    public string? LogFile { get; init; }
    public Func<NodeSettings, NodeSettings>? AdjustNode { get; init; }
    public int SnapshotEvery { get; init; } = 200;
    /// <summary>The API, /healthz and /metrics; port 0 picks a free one (see <see cref="NodeWebHost.ListeningUrls"/>).</summary>
    public string ApiUrls { get; init; } = "http://127.0.0.1:0";
    /// <summary>The bearer token the API's mutating calls (and the dashboard's cancel) require; null: none.</summary>
    public string? ApiToken { get; init; }
}

/// <summary>
/// The embedded default: one process that is a whole cluster, a <see cref="SeedHost"/> with the
/// sweep supervisor (role seed) and a node agent (role worker), journalling to SQLite.
/// `actorsweep run` and the tests use it.
/// </summary>
public static class EmbeddedHost
{
    public static async Task<IHost> StartAsync(EmbeddedOptions options, CancellationToken cancel = default)
    {
        var host = SeedHost.Build(new SeedOptions(new ClusterSetup(), options.Database)
        {
            Worker = options.Slots > 0 ? Worker(options.Slots, options.CheckpointDirectory, options.Database, options.AdjustNode) : null,
            CheckpointDirectory = options.CheckpointDirectory,
            LogFile = options.LogFile,
            LogLevel = options.LogFile is null ? Microsoft.Extensions.Logging.LogLevel.Warning : Microsoft.Extensions.Logging.LogLevel.Information,
            SnapshotEvery = options.SnapshotEvery,
            ApiUrls = options.ApiUrls,
            ApiToken = options.ApiToken,
            StopOnSignals = false,
        });
        await host.StartAsync(cancel);
        return host;
    }

    /// <summary>A node agent on the CPU in a seed's own process, keeping checkpoints in a directory or the journal's database.</summary>
    public static Action<AkkaConfigurationBuilder> Worker(int slots, string? checkpointDirectory, JournalDatabase database) =>
        Worker(slots, checkpointDirectory, database, adjust: null);

    /// <param name="adjust">Changes the node's settings (tests: timings, injected faults).</param>
    public static Action<AkkaConfigurationBuilder> Worker(int slots, string? checkpointDirectory, JournalDatabase database, Func<NodeSettings, NodeSettings>? adjust)
    {
        WorkerHost.UseDevice("cpu");
        ICheckpointStore store = checkpointDirectory is { } dir ? new DirectoryCheckpointStore(dir) : database.CheckpointStore();
        return akka => akka.WithNodeAgent(slots, system =>
        {
            var node = new NodeSettings(ClusterHosting.SelfNodeId(system), slots, "cpu", store);
            return adjust?.Invoke(node) ?? node;
        });
    }
}
