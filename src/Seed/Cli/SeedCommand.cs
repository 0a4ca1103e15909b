using System.CommandLine;
using ActorSweep.GpuNode.Hosting;
using ActorSweep.Seed.Hosting;
using Microsoft.Extensions.Hosting;

namespace ActorSweep.Seed.Cli;

/// <summary>
/// `actorsweep seed`: a cluster seed host with the sweep supervisor singleton (role "seed"), its
/// journal (PostgreSQL for clusters, or a SQLite file), and the HTTP API with /healthz. Every
/// option also reads an environment variable, so a container needs no arguments.
/// </summary>
public static class SeedCommand
{
    public static Command Create()
    {
        var cluster = new ClusterCliOptions(defaultPort: 4053);
        var db = CliOptions.Database();
        var postgres = CliOptions.Postgres();
        var api = EnvOption.Text("--api-urls", "ACTORSWEEP_API_URLS", "Where the HTTP API, /healthz and /metrics listen", "http://127.0.0.1:8080");
        var token = EnvOption.Text("--api-token", "ACTORSWEEP_API_TOKEN", "Require this bearer token on the API's mutating calls");
        var slots = EnvOption.Int("--slots", "ACTORSWEEP_SLOTS", "Also train this many runs in this process (role worker)", 0);
        var checkpoints = EnvOption.Text("--checkpoints", "ACTORSWEEP_CHECKPOINTS", "With --slots: keep checkpoints as files here instead of in the database");

        var command = new Command("seed", "Host the sweep supervisor and the HTTP API as a cluster seed node.") { db, postgres, api, token, slots, checkpoints };
        foreach (var option in cluster.All) command.Add(option);
        command.SetAction(async (parse, cancel) =>
        {
            var error = parse.InvocationConfiguration.Error;
            SeedOptions options;
            try
            {
                if (parse.GetValue(slots) < 0) throw new ArgumentException("--slots must not be negative");
                var database = parse.GetValue(postgres) is { } connection
                    ? JournalDatabase.Postgres(connection)
                    : JournalDatabase.Sqlite(parse.GetValue(db) ?? JournalDatabase.DefaultSqlitePath());
                options = new SeedOptions(cluster.Bind(parse), database)
                {
                    ApiUrls = parse.GetValue(api)!,
                    ApiToken = parse.GetValue(token),
                    WorkerSlots = parse.GetValue(slots),
                    CheckpointDirectory = parse.GetValue(checkpoints),
                };
            }
            catch (ArgumentException e) { return Terminal.UsageError(error, e.Message); }

            var host = SeedHost.Build(options);
            await host.StartAsync(CancellationToken.None);
            parse.InvocationConfiguration.Output.WriteLine(
                $"seed: journal {options.Database.Description}; API at {string.Join(", ", NodeWebHost.ListeningUrls(host))} (health: /healthz)" +
                (options.Cluster.SeedNodes.Count > 0 ? $"; joining {string.Join(", ", options.Cluster.SeedNodes)}" : "; forming a new cluster"));
            // SIGTERM and Ctrl-C stop the host (the command line leaves signals to it).
            await host.WaitForShutdownAsync(CancellationToken.None);
            return ExitCodes.Ok;
        });
        return command;
    }
}
