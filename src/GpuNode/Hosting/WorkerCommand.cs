using System.CommandLine;
using ActorSweep.Hosting.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

using ActorSweep.Hosting.Clustering;
using ActorSweep.Hosting.Web;

namespace ActorSweep.GpuNode.Hosting;

/// <summary>
/// `actorsweep-worker`: every option also reads an environment variable (named in its help), so a
/// container needs no arguments. Exit codes: 0 stopped cleanly, 2 bad options.
/// </summary>
public static class WorkerCommand
{
    public static RootCommand Build()
    {
        var cluster = new ClusterCliOptions(defaultPort: 0);
        var slots = EnvOption.Int("--slots", "ACTORSWEEP_SLOTS", "Runs trained at once; 0: one per core on cpu, 1 on a GPU", 0);
        var device = EnvOption.Text("--device", "ACTORSWEEP_DEVICE", "cpu, cuda or cuda:N", "cpu");
        var postgres = new SecretOption("--postgres", "ACTORSWEEP_POSTGRES", "Keep checkpoints in the cluster's PostgreSQL database (a connection string)");
        var checkpoints = EnvOption.Text("--checkpoints", "ACTORSWEEP_CHECKPOINTS", "Keep checkpoints as files in this directory, shared by every node");
        var db = EnvOption.Text("--db", "ACTORSWEEP_DB", "Keep checkpoints in this SQLite file (nodes on one machine only)");
        var http = EnvOption.Text("--http", "ACTORSWEEP_HTTP", "URL for /healthz and /metrics; port 0 picks a free one", "http://127.0.0.1:0");
        var maxParameters = EnvOption.Int("--max-parameters", "ACTORSWEEP_MAX_PARAMETERS", "The largest model (parameters) this worker trains; larger runs wait for a node that takes them. 0: any", 0);
        var verbose = new Option<bool>("--verbose") { Description = "Debug logging." };

        var root = new RootCommand("ActorSweep worker: joins the cluster and trains the runs it pulls from the sweep supervisor.")
        {
            slots, device, checkpoints, db, http, maxParameters, verbose,
        };
        foreach (var option in postgres.All) root.Add(option);
        foreach (var option in cluster.All) root.Add(option);
        root.SetAction(async (parse, cancel) =>
        {
            var error = parse.InvocationConfiguration.Error;
            WorkerOptions options;
            try
            {
                var setup = cluster.Bind(parse);
                if (setup.SeedNodes.Count == 0) throw new ArgumentException("--seed-nodes (or ACTORSWEEP_SEED_NODES) is required: the seed nodes to join");
                string dev = parse.GetValue(device)!;
                if (parse.GetValue(slots) < 0) throw new ArgumentException("--slots must not be negative");
                if (parse.GetValue(maxParameters) < 0) throw new ArgumentException("--max-parameters must not be negative");
                int slotCount = parse.GetValue(slots) is > 0 and var n ? n : dev == "cpu" ? Environment.ProcessorCount : 1;
                options = new WorkerOptions(setup, slotCount, dev, CheckpointStore(postgres.Read(parse), parse.GetValue(checkpoints), parse.GetValue(db)))
                {
                    HttpUrls = parse.GetValue(http)!,
                    LogLevel = parse.GetValue(verbose) ? LogLevel.Debug : LogLevel.Information,
                    MaxParameters = parse.GetValue(maxParameters) is > 0 and var max ? max : null,
                };
            }
            catch (ArgumentException e)
            {
                error.WriteLine($"error: {e.Message}");
                return 2;
            }

            // One actor system per pass: a worker that lost every seed stops its system and starts
            // a new one that joins the restarted seeds (SeedContact).
            while (true)
            {
                Microsoft.AspNetCore.Builder.WebApplication app;
                try { app = WorkerHost.Build(options); }
                catch (ArgumentException e)
                {
                    error.WriteLine($"error: {e.Message}");
                    return 2;
                }
                await app.StartAsync(cancel);
                parse.InvocationConfiguration.Output.WriteLine(
                    $"worker: {options.Slots} slot(s) on {options.Device}, joining {string.Join(", ", options.Cluster.SeedAddresses())}; health at {string.Join(", ", NodeWebHost.ListeningUrls(app))}/healthz");
                await app.WaitForShutdownAsync(CancellationToken.None);
                var system = app.Services.GetService(typeof(Akka.Actor.ActorSystem)) as Akka.Actor.ActorSystem;
                bool rejoin = SeedContact.StoppedToRejoin(system) && !cancel.IsCancellationRequested;
                bool refused = ActorSweep.Hosting.Security.TlsShutdown.FailedHandshake(system);
                await app.DisposeAsync();
                if (refused)
                {
                    error.WriteLine(ActorSweep.Hosting.Security.TlsShutdown.Message);
                    return 1;
                }
                if (!rejoin) return 0;
                parse.InvocationConfiguration.Output.WriteLine("worker: the seeds were lost; joining again through the seed nodes");
            }
        });
        return root;
    }

    /// <summary>The store every node can reach: exactly one of PostgreSQL, a shared directory or a SQLite file.</summary>
    static Func<ICheckpointStore> CheckpointStore(string? postgres, string? directory, string? sqliteFile)
    {
        int given = new[] { postgres, directory, sqliteFile }.Count(v => !string.IsNullOrEmpty(v));
        if (given != 1)
            throw new ArgumentException("a worker needs exactly one checkpoint store that every node reaches: --postgres CONNECTION, --checkpoints DIR or --db FILE");
        if (!string.IsNullOrEmpty(postgres)) return () => new PostgresCheckpointStore(postgres);
        if (!string.IsNullOrEmpty(directory)) return () => new DirectoryCheckpointStore(directory);
        string full = Path.GetFullPath(sqliteFile!);
        return () => new SqliteCheckpointStore(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder { DataSource = full }.ToString());
    }

    public static async Task<int> RunAsync(string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        var config = new InvocationConfiguration
        {
            Output = output ?? Console.Out, Error = error ?? Console.Error,
            // SIGTERM and Ctrl-C stop the host, which drains first; the host's own timeout bounds it.
            ProcessTerminationTimeout = null,
        };
        var parsed = Build().Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var e in parsed.Errors) config.Error.WriteLine($"error: {e.Message}");
            return 2;
        }
        return await parsed.InvokeAsync(config);
    }
}
