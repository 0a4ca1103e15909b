using System.CommandLine;
using ActorSweep.Tasks.Addition;
using Spectre.Console;
using ActorSweep.Seed.Cli;

namespace ActorSweep.Cli;

/// <summary>`actorsweep models`: every built-in configuration with its shape and parameter count.</summary>
public static class ModelsCommand
{
    public static Command Create()
    {
        var command = new Command("models", "List the built-in model configurations (the seed's sweep) with shape and parameter count.");
        command.SetAction(parse =>
        {
            var console = Terminal.For(parse.InvocationConfiguration.Output);
            var table = new Table().Border(TableBorder.Simple)
                .AddColumn(new TableColumn("name").NoWrap()).AddColumn(new TableColumn("shape").NoWrap())
                .AddColumn(new TableColumn("params").RightAligned()).AddColumn(new TableColumn("lr").RightAligned())
                .AddColumn(new TableColumn("seed's accuracy").RightAligned());
            foreach (var c in SeedConfigurations.All)
            {
                var m = c.Model;
                table.AddRow(c.Name, Markup.Escape(m.Shape()), m.ParameterCount.ToString("N0"), c.LearningRate.ToString("0.###"),
                    Markup.Escape(c.ReportedAccuracy));
            }
            console.Write(table);
            console.WriteLine($"{SeedConfigurations.All.Count} configurations. Train one: actorsweep train --model NAME");
            return ExitCodes.Ok;
        });
        return command;
    }
}
