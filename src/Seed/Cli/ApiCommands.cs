using ActorSweep.Hosting.Clustering;
using System.CommandLine;
using ActorSweep.Messages.Sweeps;
using ActorSweep.Seed.Api;
using ActorSweep.Seed.Reports;
using ActorSweep.Seed.Sweeps;
using Spectre.Console;

namespace ActorSweep.Seed.Cli;

/// <summary>`actorsweep submit FILE --api URL [--wait]` and `actorsweep cancel SWEEP --api URL`: talk to a running cluster.</summary>
public static class ApiCommands
{
    public static Command Submit()
    {
        var file = new Argument<string>("sweep-file") { Description = "The sweep file (YAML)." };
        var api = Required(CliOptions.Api());
        var token = CliOptions.Token();
        var wait = new Option<bool>("--wait") { Description = "Wait until the sweep finishes, then print its results." };
        var command = new Command("submit", "Submit a sweep file to a cluster (submitting it again resumes it).") { file, api, wait };
        foreach (var option in token.All) command.Add(option);
        command.SetAction((parse, cancel) => WithApi(parse, api, token, async (client, console) =>
        {
            string path = parse.GetValue(file)!;
            // Checked here first, so mistakes name the file; the seed checks it again.
            try { SweepFile.Load(path); }
            catch (SweepFileException e) { return Terminal.UsageError(parse.InvocationConfiguration.Error, e.Message); }
            var (accepted, created) = await client.SubmitAsync(await File.ReadAllTextAsync(path, cancel), path, cancel);
            console.MarkupLine($"Sweep [bold]{Markup.Escape(accepted.SweepId)}[/]: {accepted.Runs} runs {(created ? "submitted" : "already known: resumed")}.");
            if (!parse.GetValue(wait)) return ExitCodes.Ok;

            SweepState state;
            while (true)
            {
                state = (await client.StateAsync(accepted.SweepId, cancel)).State!;
                if (state.Finished) break;
                await Task.Delay(TimeSpan.FromSeconds(1), cancel);
            }
            SweepPrinter.Results(console, state);
            return state.Summary().Failed > 0 ? ExitCodes.Failed : ExitCodes.Ok;
        }));
        return command;
    }

    public static Command Cancel()
    {
        var sweep = new Argument<string>("sweep") { Description = "The sweep's name." };
        var api = Required(CliOptions.Api());
        var token = CliOptions.Token();
        var reason = new Option<string>("--reason") { Description = "Why (kept in the journal).", DefaultValueFactory = _ => "cancelled from the command line" };
        var command = new Command("cancel", "Stop a sweep: no more runs start, running ones are checkpointed and handed back.") { sweep, api, reason };
        foreach (var option in token.All) command.Add(option);
        command.SetAction((parse, cancel) => WithApi(parse, api, token, async (client, console) =>
        {
            var summary = await client.CancelAsync(parse.GetValue(sweep)!, parse.GetValue(reason)!, cancel);
            console.MarkupLine($"Sweep [bold]{Markup.Escape(summary.SweepId)}[/] cancelled: {summary.Completed} completed, {summary.Running} still handing back.");
            return ExitCodes.Ok;
        }));
        return command;
    }

    public static Command Promote()
    {
        var sweep = new Argument<string>("sweep") { Description = "The sweep's name." };
        var run = new Argument<string>("run") { Description = "The run's id (see `status SWEEP`), paused or pruned by the scheduler." };
        var api = Required(CliOptions.Api());
        var token = CliOptions.Token();
        var command = new Command("promote", "Overrule the scheduler: a paused or pruned run trains on to its next rung, from its checkpoint.") { sweep, run, api };
        foreach (var option in token.All) command.Add(option);
        command.SetAction((parse, cancel) => WithApi(parse, api, token, async (client, console) =>
        {
            var summary = await client.PromoteAsync(parse.GetValue(sweep)!, parse.GetValue(run)!, cancel);
            console.MarkupLine($"Run [bold]{Markup.Escape(parse.GetValue(run)!)}[/] of {Markup.Escape(summary.SweepId)} promoted: {summary.Queued} queued, {summary.Running} running, {summary.Paused} paused.");
            return ExitCodes.Ok;
        }));
        return command;
    }

    static Option<string?> Required(Option<string?> option)
    {
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is null) result.AddError($"{option.Name} URL (or ACTORSWEEP_API) is required: the seed host's API, e.g. http://127.0.0.1:8080");
        });
        return option;
    }

    static async Task<int> WithApi(ParseResult parse, Option<string?> api, SecretOption token, Func<ApiClient, IAnsiConsole, Task<int>> action)
    {
        var error = parse.InvocationConfiguration.Error;
        ApiClient client;
        try { client = ApiClient.Create(parse.GetValue(api)!, token.Read(parse)); }
        catch (ArgumentException e) { return Terminal.UsageError(error, e.Message); }
        using (client)
        {
            try { return await action(client, Terminal.For(parse.InvocationConfiguration.Output)); }
            catch (ApiException e)
            {
                error.WriteLine($"error: {e.Message}");
                return e.Status is System.Net.HttpStatusCode.BadRequest or System.Net.HttpStatusCode.Conflict or System.Net.HttpStatusCode.NotFound
                    ? ExitCodes.Usage : ExitCodes.Failed;
            }
        }
    }
}
