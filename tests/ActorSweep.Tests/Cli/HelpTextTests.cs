using System.CommandLine;
using ActorSweep.Cli;

namespace ActorSweep.Tests.Cli;

/// <summary>Every command's --help, as users read it.</summary>
public sealed class HelpTextTests
{
    static IEnumerable<string[]> CommandPaths(Command command, string[] path)
    {
        yield return path;
        foreach (var sub in command.Subcommands)
            foreach (var deeper in CommandPaths(sub, [.. path, sub.Name]))
                yield return deeper;
    }

    /// <summary>System.CommandLine prints an option's default itself; a description that also says it showed it twice.</summary>
    [Fact]
    public async Task Every_command_has_help_that_names_each_default_once()
    {
        var paths = CommandPaths(ActorSweepCli.Build(), []).ToList();
        Assert.True(paths.Count > 15, $"only {paths.Count} commands found");
        foreach (var path in paths)
        {
            var help = await CliRunner.RunAsync([.. path, "--help"]);
            Assert.True(help.ExitCode == 0, $"actorsweep {string.Join(' ', path)} --help: {help.Error}");
            Assert.Contains("Usage:", help.Output);
            foreach (var line in help.Output.Split('\n'))
                Assert.True(line.Split("[default:").Length <= 2, $"actorsweep {string.Join(' ', path)} --help repeats a default: {line.Trim()}");
        }
    }
}
