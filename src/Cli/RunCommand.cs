using ActorSweep.GpuNode.Hosting;
using ActorSweep.Hosting.Clustering;
using ActorSweep.Hosting.Web;
using System.CommandLine;
using Akka.Hosting;
using ActorSweep.Seed.Cli;
using ActorSweep.Messages.Sweeps;
using ActorSweep.Messages.Work;
using ActorSweep.Seed.Hosting;
using ActorSweep.Seed.Reports;
using ActorSweep.Seed.Sweeps;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace ActorSweep.Cli;

/// <summary>
/// `actorsweep run SWEEP.yaml`: the embedded default. Starts a one-process cluster (roles seed and
/// worker) on a SQLite file, runs the sweep to the end with live progress, prints the results and
/// writes the report folder. Ctrl-C checkpoints and hands back the running runs; the same command
/// resumes the sweep where it stopped.
/// </summary>
public static class RunCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("sweep-file") { Description = "The sweep file (YAML), e.g. sweeps/quickstart.yaml." };
        var db = CliOptions.Database();
        var slots = new Option<int>("--slots") { Description = "Runs trained at once (one CPU thread each).", DefaultValueFactory = _ => Environment.ProcessorCount };
        var report = new Option<string?>("--report") { Description = "Report folder (default reports/SWEEP)." };
        var checkpoints = new Option<string?>("--checkpoints") { Description = "Keep checkpoints as files in this directory instead of the database." };
        var http = new Option<string>("--http")
        {
            Description = "Where /metrics, /healthz and the API listen (port 0 picks a free one; printed at start).",
            DefaultValueFactory = _ => "http://127.0.0.1:0",
        };
        var token = new SecretOption("--api-token", "ACTORSWEEP_API_TOKEN", "Require this bearer token on the API's mutating calls (the dashboard's cancel too)");
        var command = new Command("run", "Run a sweep on the embedded default: one process, SQLite, live progress, a report folder.")
        {
            file, db, slots, report, checkpoints, http,
        };
        foreach (var option in token.All) command.Add(option);
        command.SetAction((parse, cancel) =>
        {
            string? apiToken;
            try { apiToken = token.Read(parse); }
            catch (ArgumentException e) { return Task.FromResult(Terminal.UsageError(parse.InvocationConfiguration.Error, e.Message)); }
            return RunAsync(parse.GetValue(file)!, parse.GetValue(db), parse.GetValue(slots), parse.GetValue(report),
                parse.GetValue(checkpoints), parse.GetValue(http)!, apiToken, Terminal.For(parse.InvocationConfiguration.Output), parse.InvocationConfiguration.Error, cancel);
        });
        return command;
    }

    static async Task<int> RunAsync(string file, string? dbPath, int slots, string? reportDir, string? checkpointDir, string apiUrls, string? apiToken,
                                    IAnsiConsole console, TextWriter error, CancellationToken cancel)
    {
        if (slots < 1) return Terminal.UsageError(error, "--slots must be at least 1");
        SweepDefinition definition;
        try { definition = SweepFile.Load(file); }
        catch (SweepFileException e) { return Terminal.UsageError(error, e.Message); }

        var database = JournalDatabase.Sqlite(dbPath ?? JournalDatabase.DefaultSqlitePath());
        string logFile = Path.Combine(Path.GetDirectoryName(database.FilePath!)!, "actorsweep.log");
        console.MarkupLine($"Sweep [bold]{Markup.Escape(definition.SweepId)}[/]: {definition.Runs.Count} runs of task {definition.Task}, {slots} slots");
        console.MarkupLine($"Database {Markup.Escape(database.Description)}; log {Markup.Escape(logFile)}");

        using var host = await EmbeddedHost.StartAsync(new EmbeddedOptions(database, slots)
        {
            CheckpointDirectory = checkpointDir, LogFile = logFile, ApiUrls = apiUrls, ApiToken = apiToken,
            // This sweep's runs only: another unfinished sweep in the same database keeps its runs (and
            // their checkpoints, which may live in another --checkpoints directory) until it is run itself.
            AdjustNode = node => node with { OnlySweeps = [definition.SweepId] },
        }, cancel);
        string url = NodeWebHost.ListeningUrls(host).FirstOrDefault() ?? apiUrls;
        console.MarkupLine($"Dashboard [link]{Markup.Escape(url)}/[/] (runs, curves and progress in a browser)");
        console.MarkupLine($"Metrics {Markup.Escape(url)}/metrics (Prometheus); API {Markup.Escape(url)}/api/sweeps; health {Markup.Escape(url)}/healthz");
        try
        {
            var client = SweepClient.For(host);
            var reply = await client.SubmitAsync(definition, cancel);
            if (reply is SweepRejected rejected) return Terminal.UsageError(error, rejected.Reason);
            if (reply is SweepAccepted { Resumed: true }) console.MarkupLine("Resuming: finished runs are kept; unfinished ones continue from their checkpoints.");

            bool finished = await FollowAsync(client, definition, console, cancel);
            if (!finished)
            {
                console.MarkupLine("[yellow]Stopping:[/] checkpointing the running runs and handing them back...");
                var drained = await NodeAgentHosting.DrainAsync(host.Services.GetRequiredService<ActorRegistry>(), TimeSpan.FromMinutes(2));
                console.MarkupLine($"Stopped; {drained.Released} running run(s) saved. Run the same command again to resume.");
                return ExitCodes.Interrupted;
            }

            var state = (await client.StateAsync(definition.SweepId, CancellationToken.None))!;
            SweepPrinter.Results(console, state);
            string folder = reportDir ?? Path.Combine("reports", definition.SweepId);
            SweepReport.Write(state, folder);
            console.MarkupLine($"Report: {Markup.Escape(Path.GetFullPath(folder))} (results.csv, results.json, summary.md, curves/, validation_curves.png, parameter_cliff.png)");
            var summary = state.Summary();
            if (summary.Failed == 0) return ExitCodes.Ok;
            console.MarkupLine($"[red]{summary.Failed} run(s) failed for good;[/] see 'actorsweep status {Markup.Escape(definition.SweepId)}'.");
            return ExitCodes.Failed;
        }
        finally
        {
            // Akka logs its shutdown after the host's loggers are gone, straight to standard output,
            // under the results; the shutdown's details are of no use there.
            host.Services.GetRequiredService<Akka.Actor.ActorSystem>().EventStream.SetLogLevel(Akka.Event.LogLevel.WarningLevel);
            await host.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>Shows live progress until the sweep finishes (true) or the user interrupts (false).</summary>
    static async Task<bool> FollowAsync(SweepClient client, SweepDefinition definition, IAnsiConsole console, CancellationToken cancel)
    {
        var notifications = client.Watch(definition.SweepId);
        bool finished = false;
        await console.Progress()
            .HideCompleted(true)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async ctx =>
            {
                var overall = ctx.AddTask($"{definition.SweepId}: 0 of {definition.Runs.Count} runs done", maxValue: definition.Runs.Count);
                var runs = new Dictionary<string, ProgressTask>();
                try
                {
                    await foreach (var message in notifications.ReadAllAsync(cancel))
                    {
                        switch (message)
                        {
                            case SweepStateReply { State: { } state }:
                                Overall(overall, state.Summary(), definition.SweepId);
                                break;
                            case RunProgress p:
                                if (!runs.TryGetValue(p.RunId, out var task))
                                    runs[p.RunId] = task = ctx.AddTask(p.RunId, maxValue: Math.Max(1, p.TotalSteps));
                                task.Value = p.Step;
                                task.Description = $"  {p.RunId}  step {p.Step:N0}" + (p.Loss is { } l ? $"  loss {l:F4}" : "") +
                                                   (p.ValidationExactMatch is { } v ? $"  val {v:P1}" : "");
                                break;
                            case SweepChanged c:
                                Overall(overall, c.Summary, definition.SweepId);
                                if (runs.TryGetValue(c.RunId, out var changed) && changed.Value >= changed.MaxValue) changed.StopTask();
                                break;
                            case SweepFinished f:
                                Overall(overall, f.Summary, definition.SweepId);
                                foreach (var t in runs.Values) t.StopTask();
                                finished = true;
                                return;
                        }
                    }
                }
                catch (OperationCanceledException) when (cancel.IsCancellationRequested) { }
            });
        return finished;
    }

    static void Overall(ProgressTask task, SweepSummary s, string sweepId)
    {
        task.Value = s.Completed + s.Failed;
        task.Description = $"{sweepId}: {s.Completed + s.Failed} of {s.Runs} runs done ({s.Running} running, {s.Queued} queued{(s.Failed > 0 ? $", {s.Failed} failed" : "")})";
    }
}
