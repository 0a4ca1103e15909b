using System.Diagnostics;
using System.Globalization;
using ActorSweep.Cli;
using ActorSweep.Messages.Sweeps;
using ActorSweep.Seed.Hosting;
using ActorSweep.Seed.Sweeps;
using Microsoft.Extensions.Hosting;

namespace ActorSweep.Bench;

/// <summary>
/// How reading and recovering a sweep scale with its size: noop sweeps of 1,000 to 100,000 runs
/// (each 20 empty steps, checkpointed every 2: about 11 events per run), built through the
/// embedded runner, then `status`, `results`, a full `replay` (each a separate `actorsweep`
/// process, timed with its peak memory) and supervisor recovery.
/// </summary>
public static class StateScaleBench
{
    public static async Task<int> Run(BenchOptions options)
    {
        int[] sizes = (options.String("sizes") ?? "1000,10000,100000").Split(',').Select(int.Parse).ToArray();
        int slots = options.Int("slots", 8), steps = options.Int("steps", 20), every = options.Int("checkpoint-every", 2);
        string? postgres = options.String("postgres");
        Console.WriteLine($"noop sweeps of {string.Join(", ", sizes.Select(s => s.ToString("N0")))} runs, {steps} steps checkpointed every {every}, {slots} slots, on {(postgres is null ? "SQLite" : "PostgreSQL")}");
        Console.WriteLine($"{"runs",8} {"events",10} {"db MB",7} {"compl/s",8} {"status s",9} {"results s",10} {"replay s",9} {"replay ev/s",12} {"replay MB",10} {"recovery s",11}");
        double? firstRate = null;
        string last = "";
        foreach (int runs in sizes)
        {
            string dir = Directory.CreateTempSubdirectory("actorsweep-scale-").FullName;
            try
            {
                string db = Path.Combine(dir, "scale.db");
                var database = postgres is null ? JournalDatabase.Sqlite(db) : JournalDatabase.Postgres(await FreshPostgresDatabase(postgres, runs));
                var definition = SweepFile.Parse($"name: scale\ntask: noop\nretries: 0\nseeds: [{string.Join(", ", Enumerable.Range(1, runs))}]\ndefaults: {{ steps: {steps}, checkpoint_every: {every} }}\n", "bench");

                double rate, events;
                using (var host = await EmbeddedHost.StartAsync(new EmbeddedOptions(database, slots) { LogFile = Path.Combine(dir, "scale.log") }))
                {
                    var client = SweepClient.For(host);
                    var clock = Stopwatch.StartNew();
                    await client.SubmitAsync(definition);
                    var state = await SweepBench.WaitFinished(client, "scale");
                    rate = runs / clock.Elapsed.TotalSeconds;
                    events = state.EventCount;
                    await host.StopAsync();
                }
                firstRate ??= rate;
                double dbMb = postgres is null ? Directory.GetFiles(dir, "scale.db*").Sum(f => new FileInfo(f).Length) / 1e6 : double.NaN;

                string[] source = postgres is null ? ["--db", db] : ["--postgres", database.ConnectionString];
                var status = Command(["status", .. source]);
                var results = Command(["results", "scale", "--json", .. source]);
                var replay = Command(["replay", "scale", .. source]);

                double recovery;
                using (var host = await EmbeddedHost.StartAsync(new EmbeddedOptions(database, 1) { LogFile = Path.Combine(dir, "recover.log") }))
                {
                    var clock = Stopwatch.StartNew();
                    var recovered = await SweepClient.For(host).StateAsync("scale");
                    recovery = clock.Elapsed.TotalSeconds;
                    if (recovered?.Summary().Completed != runs) throw new InvalidOperationException("recovery lost runs");
                    await host.StopAsync();
                }
                Console.WriteLine($"{runs,8:N0} {events,10:N0} {dbMb,7:F0} {rate,8:F0} {status.Seconds,9:F2} {results.Seconds,10:F2} {replay.Seconds,9:F2} {events / replay.Seconds,12:F0} {replay.PeakMb,10:F0} {recovery,11:F2}");
                last = string.Create(CultureInfo.InvariantCulture,
                    $"runs={runs} events={events} status_s={status.Seconds:F2} results_s={results.Seconds:F2} replay_events_per_s={events / replay.Seconds:F0} replay_peak_mb={replay.PeakMb:F0} recovery_s={recovery:F2} completions_ratio={rate / firstRate:F2}");
            }
            finally
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                Directory.Delete(dir, recursive: true);
            }
        }
        Console.WriteLine("goals at 100,000 runs: status < 1 s, results < 3 s, replay >= 100,000 events/s under 500 MB, recovery < 2 s, completions >= 80% of the rate at 1,000 runs");
        Console.WriteLine(last);
        return 0;
    }

    /// <summary>
    /// `actorsweep ARGS` as its own process, timed by /usr/bin/time: wall seconds and peak resident
    /// MB. Its output goes to /dev/null, as to a file: read through a pipe by this process, 47 MB
    /// of results cost this process as much CPU as the command itself, on the same two cores.
    /// </summary>
    static (double Seconds, double PeakMb) Command(string[] args)
    {
        var start = new ProcessStartInfo("/usr/bin/time") { RedirectStandardError = true, UseShellExecute = false };
        string[] command = ["-f", "TIMED %e %M", "/bin/sh", "-c", "exec \"$@\" > /dev/null", "sh", "dotnet", Path.Combine(AppContext.BaseDirectory, "actorsweep.dll"), .. args];
        foreach (var a in command) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        var line = error.Split('\n').LastOrDefault(l => l.StartsWith("TIMED ")) ?? throw new InvalidOperationException($"actorsweep {string.Join(' ', args)} failed: {error}");
        var parts = line.Split(' ');
        if (process.ExitCode != 0) throw new InvalidOperationException($"actorsweep {string.Join(' ', args)} exited {process.ExitCode}: {error}");
        return (double.Parse(parts[1], CultureInfo.InvariantCulture), double.Parse(parts[2], CultureInfo.InvariantCulture) / 1024);
    }

    /// <summary>A new database on the given server for each size, so sizes do not share a journal.</summary>
    static async Task<string> FreshPostgresDatabase(string connection, int runs)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connection);
        string name = $"scale_{runs}_{Environment.ProcessId}";
        await using (var admin = new Npgsql.NpgsqlConnection(connection))
        {
            await admin.OpenAsync();
            await using var create = admin.CreateCommand();
            create.CommandText = $"DROP DATABASE IF EXISTS {name}; CREATE DATABASE {name};";
            await create.ExecuteNonQueryAsync();
        }
        builder.Database = name;
        return builder.ConnectionString;
    }
}
