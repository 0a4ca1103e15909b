using ActorSweep.Messages.Sweeps;
using ActorSweep.Seed.Sweeps;

namespace ActorSweep.Tests.Sweeps;

/// <summary>The one sweep-id rule, and the two edges that apply it: sweep files and the HTTP API.</summary>
public sealed class SweepIdTests
{
    [Theory]
    [InlineData("quickstart", true)]
    [InlineData("a", true)]
    [InlineData("Seed.v2_run-3", true)]
    [InlineData("9lives", true)]
    [InlineData(".hidden", false)]   // a leading dot would be a hidden report folder
    [InlineData("-flag", false)]     // and a leading dash an option on a command line
    [InlineData("_x", false)]
    [InlineData("", false)]
    [InlineData("has space", false)]
    [InlineData("slash/inside", false)]
    [InlineData("ünïcode", false)]
    [InlineData("x123456789012345678901234567890123456789012345678901234567890123", true)]   // 64 characters
    [InlineData("x1234567890123456789012345678901234567890123456789012345678901234", false)]  // 65
    public void One_rule_decides_every_sweep_id(string id, bool valid)
    {
        Assert.Equal(valid, SweepId.IsValid(id));

        // A sweep file with that name is read, or refused naming the rule.
        string yaml = $"name: '{id}'\ntask: noop\n";
        if (valid) Assert.Equal(id, SweepFile.Parse(yaml, "s.yaml").SweepId);
        else
        {
            var e = Assert.Throws<SweepFileException>(() => SweepFile.Parse(yaml, "s.yaml"));
            Assert.Contains(id.Length == 0 ? "name: expected a single value" : SweepId.Rule, e.Message);
        }
    }
}
