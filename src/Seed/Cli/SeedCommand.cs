using System.CommandLine;
using ActorSweep.Hosting.Clustering;
using ActorSweep.Hosting.Web;
using ActorSweep.Seed.Hosting;
using Akka.Hosting;
using Microsoft.Extensions.Hosting;

namespace ActorSweep.Seed.Cli;

/// <summary>
/// `seed`: a cluster seed host with the sweep supervisor singleton (role "seed"), its journal
/// (PostgreSQL for clusters, or a SQLite file), and the HTTP API with /healthz. Every option also
/// reads an environment variable, so a container needs no arguments.
/// </summary>
public static class SeedCommand
{
    /// <summary>A node agent for this process: (slots, checkpoint directory or null, the journal's database) to its setup.</summary>
    public delegate Action<AkkaConfigurationBuilder> WorkerFactory(int slots, string? checkpointDirectory, JournalDatabase database);

    /// <param name="worker">Where the process can train too (`actorsweep seed --slots N`); null for the seed host alone (`actorsweep-seed`).</param>
    public static Command Create(WorkerFactory? worker = null)
    {
        var cluster = new ClusterCliOptions(defaultPort: 4053);
        var db = CliOptions.Database();
        var postgres = CliOptions.Postgres();
        var api = EnvOption.Text("--api-urls", "ACTORSWEEP_API_URLS", "Where the HTTP API, /healthz and /metrics listen", "http://127.0.0.1:8080");
        var token = new SecretOption("--api-token", "ACTORSWEEP_API_TOKEN", "Require this bearer token on the API's mutating calls");
        var slots = EnvOption.Int("--slots", "ACTORSWEEP_SLOTS", "Also train this many runs in this process (role worker)", 0);
        var checkpoints = EnvOption.Text("--checkpoints", "ACTORSWEEP_CHECKPOINTS", "With --slots: keep checkpoints as files here instead of in the database");

        var command = new Command("seed", "Host the sweep supervisor and the HTTP API as a cluster seed node.") { db, api };
        foreach (var option in postgres.All.Concat(token.All)) command.Add(option);
        if (worker is not null)
        {
            command.Add(slots);
            command.Add(checkpoints);
        }
        foreach (var option in cluster.All) command.Add(option);
        command.SetAction(async (parse, cancel) =>
        {
            var error = parse.InvocationConfiguration.Error;
            SeedOptions options;
            try
            {
                if (parse.GetValue(slots) < 0) throw new ArgumentException("--slots must not be negative");
                var database = postgres.Read(parse) is { } connection
                    ? JournalDatabase.Postgres(connection)
                    : JournalDatabase.Sqlite(parse.GetValue(db) ?? JournalDatabase.DefaultSqlitePath());
                options = new SeedOptions(cluster.Bind(parse), database)
                {
                    ApiUrls = parse.GetValue(api)!,
                    ApiToken = token.Read(parse),
                    Worker = worker is not null && parse.GetValue(slots) is > 0 and var n ? worker(n, parse.GetValue(checkpoints), database) : null,
                };
            }
            catch (ArgumentException e) { return Terminal.UsageError(error, e.Message); }

            var host = SeedHost.Build(options);
            await host.StartAsync(CancellationToken.None);
            parse.InvocationConfiguration.Output.WriteLine(
                $"seed: journal {options.Database.Description}; dashboard and API at {string.Join(", ", NodeWebHost.ListeningUrls(host))} (dashboard: /, API: /api/sweeps, health: /healthz)" +
                (options.Cluster.SeedNodes.Count > 0 ? $"; joining {string.Join(", ", options.Cluster.SeedAddresses())}" : "; forming a new cluster"));
            // SIGTERM and Ctrl-C stop the host (the command line leaves signals to it).
            await host.WaitForShutdownAsync(CancellationToken.None);
            if (ActorSweep.Hosting.Security.TlsShutdown.FailedHandshake(host.Services.GetService(typeof(Akka.Actor.ActorSystem)) as Akka.Actor.ActorSystem))
            {
                error.WriteLine(ActorSweep.Hosting.Security.TlsShutdown.Message);
                return ExitCodes.Failed;
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
